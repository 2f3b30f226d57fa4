import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoLedger } from '../../lib/aws/dynamo-ledger';
import { runCli } from '../../lib/cli/main';
import type { LocalEventBridge } from '../../local/eventbridge';
import { body, type LocalOrigin } from '../../local/origin';
import { makeDatafile, PROJECT_ID } from '../support/datafiles';
import { BUS, busClient, deliver, serveRevision, startOpsEnv } from '../support/ops';
import { readObject } from '../support/stores';

let env: Awaited<ReturnType<typeof startOpsEnv>>;
let origin: LocalOrigin;
let bus: LocalEventBridge;

beforeEach(async () => {
  env = await startOpsEnv();
  ({ origin, bus } = env);
});
afterEach(() => env.close());

/** Run the CLI in-process against the test stores; capture stdout, stderr and the exit code. */
async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const vars = {
    ALLOWED_HOSTS: `127.0.0.1:${origin.port}`,
    ALLOW_LOOPBACK: 'true',
    DATAFILE_ORIGIN_BASE_URL: origin.url,
    DATAFILE_CDN_BASE_URL: `${origin.url}/cdn`,
    DATAFILE_AUTH_BASE_URL: `${origin.url}/auth`,
    FETCH_BUDGET_MS: '1500',
  };
  const code = await runCli(
    ['--table', env.stores.table, '--bucket', env.stores.bucket, '--bus', BUS, ...argv],
    { out: (l) => out.push(l), err: (l) => err.push(l), env: vars },
    { dynamo: env.stores.dynamo, s3: env.stores.s3, events: busClient(bus) },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('datafile-sync status', () => {
  it('lists every key with project, environment, revision, age and pin as a table', async () => {
    await deliver(env, 3, 'key_a');
    await deliver(env, 5, 'key_b');

    const res = await cli('status');

    expect(res.code).toBe(0);
    const lines = res.out.split('\n');
    expect(lines[0]).toMatch(/^KEY\s+PROJECT\s+ENVIRONMENT\s+REVISION\s+UPDATED\s+AGE\s+PINNED$/);
    expect(lines[1]).toMatch(new RegExp(`^key_a\\s+${PROJECT_ID}\\s+Production\\s+3\\s+\\S+\\s+\\d+s\\s+no$`));
    expect(lines[2]).toMatch(/^key_b\s.*\s5\s.*no$/);
  });

  it('answers --json for one key', async () => {
    await deliver(env, 3);

    const res = await cli('status', 'sdk_key', '--json');

    expect(JSON.parse(res.out)).toEqual([
      expect.objectContaining({
        key: 'sdk_key',
        projectId: PROJECT_ID,
        revision: 3,
        pinned: false,
        s3Key: expect.stringMatching(/^datafiles\/sdk_key\/revisions\/3-[0-9a-f]{64}\.json$/),
      }),
    ]);
  });

  it('exits 3 for an unknown key and for a missing table, naming it', async () => {
    let message = '';

    const unknown = await cli('status', 'nobody');
    const noTable = await runCli(
      ['status', '--table', 'no-such-table'],
      { out: () => undefined, err: (l) => (message = l), env: {} },
      env.stores,
    );

    expect(unknown).toMatchObject({ code: 3, err: expect.stringContaining('Key nobody not found') });
    expect(noTable).toBe(3);
    expect(message).toContain('Table no-such-table not found');
  });
});

describe('datafile-sync history', () => {
  it('lists every stored revision with time, size and sha256, marking the current one', async () => {
    await deliver(env, 1);
    await deliver(env, 2);

    const res = await cli('history', 'sdk_key');

    const lines = res.out.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^ 1\s+\S+Z\s+\d+\s+[0-9a-f]{64}\s+initial revision: \+1 flag$/);
    expect(lines[2]).toMatch(/^\*2\s/);
  });
});

describe('datafile-sync pin / unpin', () => {
  it('pins an older revision (pointer and latest.json), then unpins to the newest, one event each', async () => {
    await deliver(env, 1);
    await deliver(env, 2);
    bus.events.length = 0;

    const pinned = await cli('pin', 'sdk_key', '1');
    const aliasWhilePinned = (await readObject(env.stores, 'datafiles/sdk_key/latest.json'))?.metadata.revision;
    await deliver(env, 3);
    const unpinned = await cli('unpin', 'sdk_key');

    expect(pinned).toMatchObject({ code: 0, out: 'Pinned sdk_key at revision 1 (was 2).' });
    expect(aliasWhilePinned).toBe('1');
    expect(unpinned).toMatchObject({ code: 0, out: 'Unpinned sdk_key: now at revision 3 (was 1).' });
    expect(bus.events.map((e) => (e.detail as { reason: string }).reason)).toEqual(['pin', 'unpin']);
  });

  it('exits 3 for a revision that is not stored, 2 for a malformed one', async () => {
    await deliver(env, 1);

    const missing = await cli('pin', 'sdk_key', '7');
    const malformed = await cli('pin', 'sdk_key', 'latest');

    expect(missing).toMatchObject({ code: 3, err: expect.stringContaining('Revision 7 of sdk_key is not stored') });
    expect(malformed.code).toBe(2);
  });
});

describe('datafile-sync sync', () => {
  it('bootstraps a new key from Optimizely through the core path and publishes a sync event', async () => {
    serveRevision(origin, 4, 'new_key');

    const res = await cli('sync', 'new_key', '--project', PROJECT_ID, '--environment', 'Production');

    expect(res).toMatchObject({ code: 0, out: 'updated: new_key revision 4; pointer at 4.' });
    expect((await readObject(env.stores, 'datafiles/new_key/latest.json'))?.metadata).toMatchObject({ revision: '4' });
    expect(bus.events.map((e) => e.detail)).toEqual([expect.objectContaining({ key: 'new_key', reason: 'sync', revision: 4 })]);
  });

  it('fetches a secure environment from the authenticated URL with --token', async () => {
    origin.serve('/auth/datafiles/auth/secure_key.json', body(makeDatafile({ revision: 2, sdkKey: 'secure_key' })));

    const res = await cli('sync', 'secure_key', '--project', PROJECT_ID, '--token', 'token-abcdefgh', '--bucket', env.stores.bucket);

    expect(res.code).toBe(0);
    expect(origin.requests.map((r) => [r.path, r.headers.authorization])).toEqual([
      ['/auth/datafiles/auth/secure_key.json', 'Bearer token-abcdefgh'],
    ]);
  });

  it('holds a datafile the real SDK rejects, as the webhook does: stored, pointer unmoved', async () => {
    serveRevision(origin, 4, 'sdk_checked');
    expect((await cli('sync', 'sdk_checked', '--project', PROJECT_ID)).code).toBe(0);
    const rejected = { ...JSON.parse(makeDatafile({ revision: 5, sdkKey: 'sdk_checked' })), experiments: 5 };
    origin.serve('/datafiles/sdk_checked.json', body(JSON.stringify(rejected)));

    const res = await cli('sync', 'sdk_checked', '--project', PROJECT_ID);

    expect(res.code).toBe(0);
    expect(res.out).toMatch(/^held: sdk_checked revision 5; pointer at 4\.\n {2}held by sdkRejected: /);
    const ledger = new DynamoLedger({ table: env.stores.table, client: env.stores.dynamo });
    expect((await ledger.getPointer('sdk_checked'))?.revision).toBe(4);
    expect((await ledger.getRevision('sdk_checked', 5))?.held).toBe(true);
  });

  it('exits 5 when Optimizely does not serve the datafile, 2 without --project', async () => {
    const failed = await cli('sync', 'absent_key', '--project', PROJECT_ID);
    const usage = await cli('sync', 'absent_key');

    expect(failed).toMatchObject({ code: 5, err: expect.stringContaining('Could not fetch the datafile') });
    expect(usage.code).toBe(2);
  });
});

describe('datafile-sync verify', () => {
  it('passes on a consistent store', async () => {
    await deliver(env, 1);
    await deliver(env, 2);

    const res = await cli('verify');

    expect(res).toMatchObject({ code: 0, out: 'OK: 1 key(s), 3 object(s) checked, 0 problem(s).' });
  });

  it('exits 1 and names each problem: missing object, corrupted bytes, latest.json off the pointer', async () => {
    await deliver(env, 1);
    await deliver(env, 2);
    const s3 = env.stores.s3;
    const Bucket = env.stores.bucket;
    const [one, two] = await new DynamoLedger({ table: env.stores.table, client: env.stores.dynamo }).history('sdk_key');
    await s3.send(new DeleteObjectCommand({ Bucket, Key: one?.s3Key }));
    await s3.send(new PutObjectCommand({ Bucket, Key: two?.s3Key, Body: '{"tampered":true}' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'datafiles/sdk_key/latest.json', Body: '{}', Metadata: { revision: '1' } }));

    const res = await cli('verify', 'sdk_key');

    expect(res.code).toBe(1);
    expect(res.out).toContain(`sdk_key: revision 1: object ${one?.s3Key} is missing`);
    expect(res.out).toContain(`sdk_key: revision 2: ${two?.s3Key} has sha256 `);
    expect(res.out).toContain('sdk_key: latest.json holds sha256');
    expect(res.out).toContain('latest.json metadata says revision 1, pointer 2');
    expect(res.out).toContain('FAILED: 1 key(s), 3 object(s) checked, 4 problem(s).');
  });
});

describe('datafile-sync usage', () => {
  it('exits 2 for an unknown command or option, with the reason on stderr', async () => {
    const unknown = await cli('frobnicate');
    const option = await cli('status', '--colour');

    expect(unknown).toMatchObject({ code: 2, err: expect.stringContaining('Unknown command "frobnicate"') });
    expect(option.code).toBe(2);
  });
});

describe('the built bin', () => {
  const run = promisify(execFile);

  it('runs from the esbuild bundle with the normal AWS endpoint variables and exits with the documented codes', async () => {
    await deliver(env, 6);
    const outDir = mkdtempSync(join(tmpdir(), 'cli-build-'));
    const esbuild = require('esbuild') as typeof import('esbuild');
    await esbuild.build({
      entryPoints: ['lib/cli/entry.ts'],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: join(outDir, 'cli.cjs'),
      logLevel: 'silent',
    });
    const vars = {
      ...process.env,
      AWS_ENDPOINT_URL_S3: process.env.TEST_S3_ENDPOINT,
      AWS_ENDPOINT_URL_DYNAMODB: process.env.TEST_DYNAMODB_ENDPOINT,
      AWS_REGION: 'us-east-1',
      DATAFILE_TABLE: env.stores.table,
      DATAFILE_BUCKET: env.stores.bucket,
    };

    const ok = await run(process.execPath, [join(outDir, 'cli.cjs'), 'status', 'sdk_key', '--json'], { env: vars });
    const missing = await run(process.execPath, [join(outDir, 'cli.cjs'), 'history', 'nobody'], { env: vars }).catch(
      (e: { code: number; stderr: string }) => e,
    );

    expect(JSON.parse(ok.stdout)[0]).toMatchObject({ key: 'sdk_key', revision: 6 });
    expect(missing).toMatchObject({ code: 3, stderr: expect.stringContaining('Key nobody has no stored revisions') });
  });
});
