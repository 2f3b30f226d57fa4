import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../local/stores';
import { makeDatafile } from '../support/datafiles';

// Each test starts a whole local stack (Java DynamoDB Local, s3rver, tsx): well under a minute on an
// idle machine, several on a loaded 2-core one. A hang still fails, just later.
jest.setTimeout(180_000);

const run = promisify(execFile);
const TSX = ['--no-warnings', '--import', 'tsx'];

/** `npm start` as its own process, resolved once it prints "ready". */
function startStack(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [...TSX, 'local/start.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (c: Buffer) => {
        output += c.toString();
        if (output.includes('ready — Ctrl-C to stop')) resolve({ child, output: () => output });
      });
    }
    child.once('exit', (code) => reject(new Error(`local stack exited (${code}): ${output}`)));
  });
}

describe('local stack (npm start) SDK mirror', () => {
  it('serves the synced datafile at /datafiles/{key}.json on the webhook’s port, with a sha256 ETag', async () => {
    const ports = {
      PORT: await freePort(),
      LOCAL_S3_PORT: await freePort(),
      LOCAL_DYNAMODB_PORT: await freePort(),
      LOCAL_EVENTS_PORT: await freePort(),
    };
    const dir = mkdtempSync(join(tmpdir(), 'mirror-stack-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      LOCAL_DATA_DIR: join(dir, 'data'),
    };
    delete env.WEBHOOK_SECRET;
    const datafile = join(dir, 'datafile.json');
    writeFileSync(datafile, makeDatafile({ revision: 5, sdkKey: 'mirror_key' }));
    const stack = await startStack(env);

    try {
      const before = await fetch(`http://127.0.0.1:${ports.PORT}/datafiles/mirror_key.json`);
      await run(process.execPath, [...TSX, 'local/send-webhook.ts', '--datafile', datafile], { env });
      const after = await fetch(`http://127.0.0.1:${ports.PORT}/datafiles/mirror_key.json`);
      const body = Buffer.from(await after.arrayBuffer());

      expect(stack.output()).toContain(`GET  http://127.0.0.1:${ports.PORT}/datafiles/<sdkKey>.json`);
      expect(before.status).toBe(404);
      expect(after.status).toBe(200);
      expect(body.equals(readFileSync(datafile))).toBe(true);
      expect(after.headers.get('etag')).toBe(`"${createHash('sha256').update(body).digest('hex')}"`);
    } finally {
      await new Promise((r) => {
        stack.child.once('exit', r);
        stack.child.kill('SIGTERM');
      });
    }
  });
});
