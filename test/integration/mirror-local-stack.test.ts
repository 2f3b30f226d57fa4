import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDatafile } from '../support/datafiles';
import { sendWebhook, stackEnv, startStack, stopStack } from '../support/local-stack';

// Each test starts a whole local stack (Java DynamoDB Local, s3rver, tsx): well under a minute on an
// idle machine, several on a loaded 2-core one. A hang still fails, just later.
jest.setTimeout(180_000);

describe('local stack (npm start) SDK mirror', () => {
  it('serves the synced datafile at /datafiles/{key}.json on the webhook’s port, with a sha256 ETag', async () => {
    const { ports, dir, env } = await stackEnv('mirror-stack-');
    const datafile = join(dir, 'datafile.json');
    writeFileSync(datafile, makeDatafile({ revision: 5, sdkKey: 'mirror_key' }));
    const stack = await startStack(env);

    try {
      const before = await fetch(`http://127.0.0.1:${ports.PORT}/datafiles/mirror_key.json`);
      await sendWebhook(env, datafile);
      const after = await fetch(`http://127.0.0.1:${ports.PORT}/datafiles/mirror_key.json`);
      const body = Buffer.from(await after.arrayBuffer());

      expect(stack.output()).toContain(`GET  http://127.0.0.1:${ports.PORT}/datafiles/<sdkKey>.json`);
      expect(before.status).toBe(404);
      expect(after.status).toBe(200);
      expect(body.equals(readFileSync(datafile))).toBe(true);
      expect(after.headers.get('etag')).toBe(`"${createHash('sha256').update(body).digest('hex')}"`);
    } finally {
      await stopStack(stack);
    }
  });
});
