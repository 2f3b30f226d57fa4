import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../local/stores';

/** `npm start` (local/start.ts) as its own process, for the tests that drive the whole local stack. */

export const run = promisify(execFile);
export const TSX = ['--no-warnings', '--import', 'tsx'];

export interface Stack {
  child: ChildProcess;
  output: () => string;
  javaPid: number;
}

/**
 * Free ports for every server of the stack, a fresh data folder, and the environment that points a
 * stack and its helpers at them. `WEBHOOK_SECRET` is whatever `vars` says (unset: the stack's default).
 */
export async function stackEnv(prefix: string, vars: NodeJS.ProcessEnv = {}) {
  const ports = {
    PORT: await freePort(),
    LOCAL_S3_PORT: await freePort(),
    LOCAL_DYNAMODB_PORT: await freePort(),
    LOCAL_EVENTS_PORT: await freePort(),
  };
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    LOCAL_DATA_DIR: join(dir, 'data'),
  };
  delete env.WEBHOOK_SECRET;
  return { ports, dir, env: { ...env, ...vars } };
}

/** Start the stack and wait until it prints "ready". */
export async function startStack(env: NodeJS.ProcessEnv): Promise<Stack> {
  const child = spawn(process.execPath, [...TSX, 'local/start.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (c: Buffer) => {
        output += c.toString();
        if (output.includes('ready — Ctrl-C to stop')) resolve();
      });
    }
    child.once('exit', (code) => reject(new Error(`local stack exited (${code}): ${output}`)));
  });
  const javaPid = Number(/java pid (\d+)/.exec(output)?.[1]);
  return { child, output: () => output, javaPid };
}

/** Stop the stack with `signal`; resolves to its exit code. */
export function stopStack(stack: Stack, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return new Promise((resolve) => {
    stack.child.once('exit', (code) => resolve(code));
    stack.child.kill(signal);
  });
}

/** `npm run webhook:send` against the stack: signs and sends a webhook for the datafile. */
export function sendWebhook(env: NodeJS.ProcessEnv, datafile: string, ...args: string[]) {
  return run(process.execPath, [...TSX, 'local/send-webhook.ts', '--datafile', datafile, ...args], { env });
}
