import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../../lib/cli/main';
import { freePort } from '../../local/stores';
import { makeDatafile, PROJECT_ID } from '../support/datafiles';

// Each test starts a whole local stack (Java DynamoDB Local, s3rver, tsx): well under a minute on an
// idle machine, several on a loaded 2-core one. A hang still fails, just later.
jest.setTimeout(180_000);

const run = promisify(execFile);
const TSX = ['--no-warnings', '--import', 'tsx'];

interface Stack {
  child: ChildProcess;
  output: () => string;
  javaPid: number;
}

/** Start `local/start.ts` as its own process and wait until it prints "ready". */
async function startStack(env: NodeJS.ProcessEnv): Promise<Stack> {
  const child = spawn(process.execPath, [...TSX, 'local/start.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (output.includes('ready — Ctrl-C to stop')) resolve();
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => reject(new Error(`local stack exited (${code}): ${output}`)));
  });
  const javaPid = Number(/java pid (\d+)/.exec(output)?.[1]);
  return { child, output: () => output, javaPid };
}

function stop(stack: Stack, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return new Promise((resolve) => {
    stack.child.once('exit', (code) => resolve(code));
    stack.child.kill(signal);
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('local stack (npm start)', () => {
  it('serves the real webhook, prints the change event, stops Java on SIGTERM and keeps its data across restarts', async () => {
    const ports = {
      PORT: await freePort(),
      LOCAL_S3_PORT: await freePort(),
      LOCAL_DYNAMODB_PORT: await freePort(),
      LOCAL_EVENTS_PORT: await freePort(),
    };
    const dir = mkdtempSync(join(tmpdir(), 'local-stack-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      LOCAL_DATA_DIR: join(dir, 'data'),
    };
    delete env.WEBHOOK_SECRET;
    const datafile = join(dir, 'datafile.json');
    writeFileSync(datafile, makeDatafile({ revision: 12, sdkKey: 'demo_key' }));

    const first = await startStack(env);
    const sent = await run(process.execPath, [...TSX, 'local/send-webhook.ts', '--datafile', datafile], { env });
    const stopped = await stop(first);

    expect(first.output()).toContain(`POST http://127.0.0.1:${ports.PORT}/webhook`);
    expect(first.output()).toContain('local-development-secret (development default');
    expect(sent.stdout).toContain('200 {"status":"updated","key":"demo_key","revision":12,"current":12}');
    expect(first.output()).toMatch(/\[event\] Datafile Pointer Moved: \{"eventId":"[0-9a-f-]+","key":"demo_key".*"revision":12/);
    expect(stopped).toBe(0);
    expect(first.javaPid).toBeGreaterThan(0);
    expect(alive(first.javaPid)).toBe(false);

    const second = await startStack(env);
    const out: string[] = [];
    const code = await runCli(['status', 'demo_key', '--json', '--local'], { out: (l) => out.push(l), err: () => undefined, env });
    await stop(second, 'SIGINT');

    expect(code).toBe(0);
    expect(JSON.parse(out.join('\n'))[0]).toMatchObject({ key: 'demo_key', revision: 12 });
    expect(alive(second.javaPid)).toBe(false);
  });

  it('refuses a webhook signed with another secret', async () => {
    const ports = {
      PORT: await freePort(),
      LOCAL_S3_PORT: await freePort(),
      LOCAL_DYNAMODB_PORT: await freePort(),
      LOCAL_EVENTS_PORT: await freePort(),
    };
    const dir = mkdtempSync(join(tmpdir(), 'local-stack-'));
    const env = {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      LOCAL_DATA_DIR: join(dir, 'data'),
      WEBHOOK_SECRET: 'my-own-local-secret',
    };
    const datafile = join(dir, 'datafile.json');
    writeFileSync(datafile, makeDatafile({ revision: 1, sdkKey: 'demo_key' }));
    const stack = await startStack(env);

    const refused = await run(process.execPath, [...TSX, 'local/send-webhook.ts', '--datafile', datafile, '--secret', 'wrong-secret-123'], {
      env,
    }).catch((e: { code: number; stdout: string }) => e);
    await stop(stack);

    expect(refused).toMatchObject({ code: 1, stdout: expect.stringContaining('401 {"error":"invalid_signature"') });
  });

  it('honours a projects JSON in SYNC_PROJECTS: its guardrails hold a revision that breaks them', async () => {
    const ports = {
      PORT: await freePort(),
      LOCAL_S3_PORT: await freePort(),
      LOCAL_DYNAMODB_PORT: await freePort(),
      LOCAL_EVENTS_PORT: await freePort(),
    };
    const dir = mkdtempSync(join(tmpdir(), 'local-stack-'));
    const projects = { projects: { [PROJECT_ID]: { secrets: ['local-development-secret'], guardrails: { requiredFlags: ['checkout'] } } } };
    const env = {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      LOCAL_DATA_DIR: join(dir, 'data'),
      SYNC_PROJECTS: JSON.stringify(projects),
    };
    const datafile = join(dir, 'datafile.json');
    writeFileSync(datafile, makeDatafile({ revision: 3, sdkKey: 'demo_key' })); // has no flag "checkout"
    const stack = await startStack(env);

    const sent = await run(process.execPath, [...TSX, 'local/send-webhook.ts', '--datafile', datafile], { env });
    await stop(stack);

    expect(stack.output()).toContain('checkout');
    expect(sent.stdout).toContain('"status":"held"');
    expect(sent.stdout).toContain('requiredFlags');
    expect(stack.output()).toMatch(/\[event\] Datafile Held: \{.*"key":"demo_key"/);
  });
});
