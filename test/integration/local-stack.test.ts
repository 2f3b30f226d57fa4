import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../lib/cli/main';
import { makeDatafile, PROJECT_ID } from '../support/datafiles';
import { sendWebhook, stackEnv, startStack, stopStack as stop } from '../support/local-stack';

// Each test starts a whole local stack (Java DynamoDB Local, s3rver, tsx): well under a minute on an
// idle machine, several on a loaded 2-core one. A hang still fails, just later.
jest.setTimeout(180_000);

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
    const { ports, dir, env } = await stackEnv('local-stack-');
    const datafile = join(dir, 'datafile.json');
    writeFileSync(datafile, makeDatafile({ revision: 12, sdkKey: 'demo_key' }));

    const first = await startStack(env);
    const sent = await sendWebhook(env, datafile);
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
    const { dir, env } = await stackEnv('local-stack-', { WEBHOOK_SECRET: 'my-own-local-secret' });
    const datafile = join(dir, 'datafile.json');
    writeFileSync(datafile, makeDatafile({ revision: 1, sdkKey: 'demo_key' }));
    const stack = await startStack(env);

    const refused = await sendWebhook(env, datafile, '--secret', 'wrong-secret-123').catch((e: { code: number; stdout: string }) => e);
    await stop(stack);

    expect(refused).toMatchObject({ code: 1, stdout: expect.stringContaining('401 {"error":"invalid_signature"') });
  });

  it('honours a projects JSON in SYNC_PROJECTS: its guardrails hold a revision that breaks them', async () => {
    const projects = { projects: { [PROJECT_ID]: { secrets: ['local-development-secret'], guardrails: { requiredFlags: ['checkout'] } } } };
    const { dir, env } = await stackEnv('local-stack-', { SYNC_PROJECTS: JSON.stringify(projects) });
    const datafile = join(dir, 'datafile.json');
    writeFileSync(datafile, makeDatafile({ revision: 3, sdkKey: 'demo_key' })); // has no flag "checkout"
    const stack = await startStack(env);

    const sent = await sendWebhook(env, datafile);
    await stop(stack);

    expect(stack.output()).toContain('checkout');
    expect(sent.stdout).toContain('"status":"held"');
    expect(sent.stdout).toContain('requiredFlags');
    expect(stack.output()).toMatch(/\[event\] Datafile Held: \{.*"key":"demo_key"/);
  });
});
