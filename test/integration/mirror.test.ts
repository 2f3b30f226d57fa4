import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { type Client, createInstance, createPollingProjectConfigManager } from '@optimizely/optimizely-sdk';
import { createReconcileApp, createWebhookApp } from '../../lib/app';
import { DynamoLedger } from '../../lib/aws/dynamo-ledger';
import { S3Mirror } from '../../lib/aws/s3-mirror';
import { S3Store } from '../../lib/aws/s3-store';
import { mirrorObjectKey } from '../../lib/layout';
import { createRollbackApp } from '../../lib/rollback-app';
import { pinRevision } from '../../lib/sync/pin';
import { serveHttpApi } from '../../local/http-adapter';
import { localMirrorRoute } from '../../local/mirror';
import { body } from '../../local/origin';
import { makeDatafile, PROJECT_ID } from '../support/datafiles';
import {
  basesFor,
  captureLogger,
  cli,
  deliver,
  fetchPolicyFor,
  opsOverrides,
  serveRevision,
  startOpsEnv,
  TEST_PROJECTS,
  testWebhookConfig,
  webhookApp,
} from '../support/ops';
import { publish } from '../support/publish';
import { itemsFor, objectExists, readObject } from '../support/stores';
import { httpApiEvent, payload } from '../support/webhooks';

let env: Awaited<ReturnType<typeof startOpsEnv>>;
let mirror: S3Mirror;
let server: Server;
let base: string;
/** Status of every mirror answer the server sent, in order: counted at the server, not the client. */
let answers: number[];
const clients: Client[] = [];

beforeEach(async () => {
  env = await startOpsEnv();
  mirror = new S3Mirror({ bucket: env.stores.bucket, client: env.stores.s3, maxAgeSeconds: 1 });
  const route = localMirrorRoute({ s3: env.stores.s3, bucket: env.stores.bucket, maxAgeSeconds: 1 });
  const http = await serveHttpApi(webhookApp(env, { mirror }), '/webhook', 0, [route]);
  server = http.server;
  base = `http://127.0.0.1:${http.port}`;
  answers = [];
  server.on('request', (req, res) => {
    if (req.url?.startsWith('/datafiles/')) res.on('finish', () => answers.push(res.statusCode));
  });
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await env.close();
});

/** Poll a condition (real time: the SDK polls on its own timers) with a generous bound, no fixed sleep. */
async function eventually(cond: () => boolean | Promise<boolean>, what: string, boundMs = 20_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`not within ${boundMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function startSdk(updateInterval = 1000): Client {
  const client = createInstance({
    projectConfigManager: createPollingProjectConfigManager({
      sdkKey: 'sdk_key',
      urlTemplate: `${base}/datafiles/%s.json`,
      updateInterval,
    }),
  });
  clients.push(client);
  return client;
}

const revisionOf = (client: Client) => client.getOptimizelyConfig()?.revision;

async function pointer(key = 'sdk_key') {
  const p = (await itemsFor(env.stores, key)).find((i) => i.sk?.S === 'POINTER');
  return { sha256: p?.sha256?.S ?? '', updatedAt: p?.updatedAt?.S ?? '', s3Key: p?.s3Key?.S ?? '' };
}

describe('the SDK mirror (local route)', () => {
  it('serves exactly the pointer’s bytes with a sha256 ETag and the move as Last-Modified, then 304s', async () => {
    await deliver(env, 1, 'sdk_key', { mirror });
    const p = await pointer();
    const stored = await readObject(env.stores, p.s3Key);

    const res = await fetch(`${base}/datafiles/sdk_key.json`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const byEtag = await fetch(`${base}/datafiles/sdk_key.json`, { headers: { 'if-none-match': `W/"${p.sha256}"` } });
    const byDate = await fetch(`${base}/datafiles/sdk_key.json`, {
      headers: { 'if-modified-since': res.headers.get('last-modified') ?? '' },
    });

    expect(res.status).toBe(200);
    expect(bytes.toString()).toBe(stored?.body);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(p.sha256);
    expect(res.headers.get('etag')).toBe(`"${p.sha256}"`);
    expect(res.headers.get('last-modified')).toBe(new Date(Math.floor(Date.parse(p.updatedAt) / 1000) * 1000).toUTCString());
    expect(res.headers.get('cache-control')).toBe('max-age=1');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect([byEtag.status, byDate.status]).toEqual([304, 304]);
    expect((await byEtag.arrayBuffer()).byteLength).toBe(0);
  });

  it('answers 404 for unknown keys and invalid paths, and never serves a key with an access token', async () => {
    await deliver(env, 1, 'secure_key', { mirror });

    const statuses = await Promise.all(
      ['/datafiles/unknown.json', '/datafiles/secure_key.json', '/datafiles/auth/secure_key.json', '/datafiles/a%2Fb.json'].map(
        async (path) => (await fetch(`${base}${path}`)).status,
      ),
    );

    expect((await pointer('secure_key')).sha256).not.toBe('');
    expect(statuses).toEqual([404, 404, 404, 404]);
    expect(await objectExists(env.stores, mirrorObjectKey('secure_key'))).toBe(false);
  });

  it('removes the copy of a key that gained an access token', async () => {
    await deliver(env, 1, 'sdk_key', { mirror });
    const before = (await fetch(`${base}/datafiles/sdk_key.json`)).status;

    await pinRevision('sdk_key', 1, { ...storeDeps(), mirror, secure: (key) => key === 'sdk_key' });

    expect(before).toBe(200);
    expect((await fetch(`${base}/datafiles/sdk_key.json`)).status).toBe(404);
  });

  // The operator adds an access token for sdk_key after it was stored without one. Whatever runs next
  // takes the copy down, even when the pointer does not move, and nothing re-publishes it.
  describe('a key that gains an access token', () => {
    it('loses its copy when its webhook is redelivered, though the pointer does not move', async () => {
      await deliver(env, 1, 'sdk_key', { mirror });
      const before = await copied();

      const redelivered = await deliverWithToken(1);

      expect(before).toBe(true);
      expect(redelivered.status).toBe('unchanged');
      expect(await copied()).toBe(false);
    });

    it('loses its copy on the next reconcile run, and a stray one on a run whose fetch answers 304', async () => {
      await deliver(env, 1, 'sdk_key', { mirror });
      env.origin.serve('/auth/datafiles/auth/sdk_key.json', body(makeDatafile({ revision: 1, sdkKey: 'sdk_key' })));
      const reconcile = createReconcileApp(
        { ...tokenedConfig(), bases: basesFor(env.origin), concurrency: 2 },
        opsOverrides(env, { mirror }),
      );
      const before = await copied();

      const first = await reconcile();
      const afterFirst = await copied();
      // A stray copy (say, re-published by something that could not know of the token) goes too.
      const p = await pointer();
      await mirror.publish({ key: 'sdk_key', s3Key: p.s3Key, sha256: p.sha256, revision: 1, updatedAt: p.updatedAt });
      const fetches = env.origin.requests.length;
      const second = await reconcile();

      expect(before).toBe(true);
      expect(first.counts).toMatchObject({ unchanged: 1, failed: 0 });
      expect(afterFirst).toBe(false);
      expect(second.counts).toMatchObject({ unchanged: 1, failed: 0 });
      expect(env.origin.requests.slice(fetches).map((r) => r.headers['if-none-match'])).toEqual([expect.any(String)]);
      expect(await copied()).toBe(false);
    });

    it('loses its copy on an alarm rollback, which does not re-publish the revision before the token', async () => {
      await deliver(env, 1, 'sdk_key', { mirror });
      await deliver(env, 2, 'sdk_key', { mirror });
      const rollback = createRollbackApp(
        {
          table: env.stores.table,
          bucket: env.stores.bucket,
          alarmNames: ['api-5xx'],
          bakeSeconds: 600,
          mirror: { maxAgeSeconds: 1 },
          projects: tokenedConfig().projects,
        },
        { s3: env.stores.s3, dynamo: env.stores.dynamo, logger: captureLogger(env.logs) },
      );

      const summary = await rollback({
        source: 'aws.cloudwatch',
        'detail-type': 'CloudWatch Alarm State Change',
        detail: { alarmName: 'api-5xx', state: { value: 'ALARM', timestamp: new Date(Date.now() + 60_000).toISOString() } },
      });

      expect(summary.keys).toEqual([{ key: 'sdk_key', outcome: 'rolled_back', from: 2, to: 1 }]);
      expect(await copied()).toBe(false);
    });

    it('is not re-published by a CLI pin back to a revision stored before the token', async () => {
      await deliver(env, 1, 'sdk_key', { mirror }); // recorded secure: false
      const live = await deliverWithToken(2); // recorded secure: true; the move removes the copy
      const afterMove = await copied();

      const pinned = await cli(env, 'pin', 'sdk_key', '1');

      expect(live.status).toBe('updated');
      expect(afterMove).toBe(false);
      expect(pinned).toEqual({ code: 0, out: 'Pinned sdk_key at revision 1 (was 2).', err: '' });
      expect(await copied()).toBe(false);
    });

    it('is not re-published by a CLI pin between revisions stored before the token, once a newer one records it', async () => {
      await deliver(env, 1, 'sdk_key', { mirror });
      await deliver(env, 2, 'sdk_key', { mirror });
      await cli(env, 'pin', 'sdk_key', '2'); // all recorded secure: false, so the copy stays
      const before = await copied();
      const held = await deliverWithToken(3); // stored with the token while pinned: history only

      const pinned = await cli(env, 'pin', 'sdk_key', '1');

      expect(before).toBe(true);
      expect(held.status).toBe('pinned');
      expect(pinned.code).toBe(0);
      expect(await copied()).toBe(false);
    });
  });

  it('dates two moves within one second a second apart, so If-Modified-Since still sees the second', async () => {
    await deliver(env, 1, 'sdk_key', { mirror });
    await deliver(env, 2, 'sdk_key', { mirror });
    const items = await itemsFor(env.stores, 'sdk_key');
    const rev = (n: number) => items.find((i) => i.sk?.S?.endsWith(String(n).padStart(12, '0')));
    const source = (n: number, updatedAt: string) => ({
      key: 'sdk_key',
      s3Key: rev(n)?.s3Key?.S ?? '',
      sha256: rev(n)?.sha256?.S ?? '',
      revision: n,
      updatedAt,
    });
    const s3Stamp = async () =>
      (await env.stores.s3.send(new HeadObjectCommand({ Bucket: env.stores.bucket, Key: mirrorObjectKey('sdk_key') }))).LastModified;

    await mirror.publish(source(1, '2030-01-01T10:00:00.100Z'));
    const first = await fetch(`${base}/datafiles/sdk_key.json`);
    const firstStamp = await s3Stamp();
    await mirror.publish(source(2, '2030-01-01T10:00:00.900Z'));
    const second = await fetch(`${base}/datafiles/sdk_key.json`, {
      headers: { 'if-modified-since': first.headers.get('last-modified') ?? '' },
    });
    const secondStamp = await s3Stamp();

    expect(first.headers.get('last-modified')).toBe('Tue, 01 Jan 2030 10:00:00 GMT');
    expect(second.status).toBe(200);
    expect(second.headers.get('last-modified')).toBe('Tue, 01 Jan 2030 10:00:01 GMT');
    expect(second.headers.get('etag')).toBe(`"${rev(2)?.sha256?.S}"`);
    // CloudFront's Last-Modified is S3's: the second copy landed in a later second than the first.
    expect(Math.floor(Number(secondStamp) / 1000)).toBeGreaterThan(Math.floor(Number(firstStamp) / 1000));
  });

  it('publishes after a pin only for a key its pointer records as not secure: never a secure or unrecorded one', async () => {
    await deliver(env, 1, 'sdk_key');
    await deliver(env, 1, 'secure_key'); // TEST_PROJECTS gives it an access token
    await publish(env.stores, 'old_key', 1); // stored as before the flag was recorded

    for (const key of ['sdk_key', 'secure_key', 'old_key']) await pinRevision(key, 1, { ...storeDeps(), mirror });

    expect(await objectExists(env.stores, mirrorObjectKey('sdk_key'))).toBe(true);
    expect(await objectExists(env.stores, mirrorObjectKey('secure_key'))).toBe(false);
    expect(await objectExists(env.stores, mirrorObjectKey('old_key'))).toBe(false);
  });

  it('keeps the stack’s max-age when the CLI (which does not know it) re-copies on a pin; 1 s for a first copy', async () => {
    const stack = new S3Mirror({ bucket: env.stores.bucket, client: env.stores.s3, maxAgeSeconds: 30 });
    const cli = new S3Mirror({ bucket: env.stores.bucket, client: env.stores.s3 });
    await deliver(env, 1, 'sdk_key', { mirror: stack });
    await deliver(env, 2, 'sdk_key', { mirror: stack });
    await deliver(env, 1, 'other_key');
    const cacheControl = async (key: string) =>
      (await env.stores.s3.send(new HeadObjectCommand({ Bucket: env.stores.bucket, Key: mirrorObjectKey(key) }))).CacheControl;
    expect(await cacheControl('sdk_key')).toBe('max-age=30');

    await pinRevision('sdk_key', 1, { ...storeDeps(), mirror: cli });
    await pinRevision('other_key', 1, { ...storeDeps(), mirror: cli });

    const served = await fetch(`${base}/datafiles/sdk_key.json`);
    expect(served.headers.get('etag')).toBe(`"${(await pointer()).sha256}"`);
    expect(await cacheControl('sdk_key')).toBe('max-age=30');
    expect(await cacheControl('other_key')).toBe('max-age=1');
  });

  it('repairs a mirror copy that failed when the webhook is redelivered', async () => {
    let failing = true;
    const flaky = {
      publish: (p: Parameters<S3Mirror['publish']>[0]) => (failing ? Promise.reject(new Error('S3 unavailable')) : mirror.publish(p)),
      remove: (key: string) => mirror.remove(key),
    };

    const first = await deliver(env, 1, 'sdk_key', { mirror: flaky });
    const missing = (await fetch(`${base}/datafiles/sdk_key.json`)).status;
    failing = false;
    // A redelivery after the settle grace period finishes the unsettled move, mirror copy included.
    const redelivered = await deliver(env, 1, 'sdk_key', { mirror: flaky, settleGraceMs: 0 });
    const repaired = await fetch(`${base}/datafiles/sdk_key.json`);

    expect(first.status).toBeGreaterThanOrEqual(500);
    expect(missing).toBe(404);
    expect(redelivered.body.status).toBe('unchanged');
    expect(repaired.status).toBe(200);
    expect(repaired.headers.get('etag')).toBe(`"${(await pointer()).sha256}"`);
  });

  it('feeds the real SDK: initialises, follows a webhook, answers 304s while idle, holds a pin', async () => {
    await deliver(env, 1, 'sdk_key', { mirror });
    const sdk = startSdk(1000);
    await sdk.onReady({ timeout: 10_000 });
    const initial = revisionOf(sdk);

    const deliveredFrom = answers.length;
    await deliver(env, 2, 'sdk_key', { mirror });
    const movedAt = answers.length;
    let seenAt = -1;
    await eventually(() => {
      seenAt = answers.length;
      return revisionOf(sdk) === '2';
    }, 'the SDK sees revision 2 after the webhook');
    // Within updateInterval + 1 s, counted in polls rather than wall time (this machine is noisy): the
    // new bytes go out at the latest on the first poll after the webhook (the second, when one was in
    // flight during it; or earlier, on a poll that landed after the mirror copy while the webhook was
    // still settling), and the SDK takes them from that answer, before it polls again.
    await eventually(() => answers.slice(deliveredFrom).includes(200), 'the server records the 200');
    const firstFull = answers.indexOf(200, deliveredFrom) - movedAt;

    const idleFrom = answers.length;
    await eventually(() => answers.length >= idleFrom + 3, 'three idle polls');
    const idle = answers.slice(idleFrom);

    await pinRevision('sdk_key', 1, { ...storeDeps(), mirror, secure: () => false });
    await eventually(() => revisionOf(sdk) === '1', 'the SDK follows the pin back to revision 1');
    const pinnedWebhook = await deliver(env, 3, 'sdk_key', { mirror });
    const pinnedFrom = answers.length;
    await eventually(() => answers.length >= pinnedFrom + 3, 'three polls after the pinned webhook');

    expect(initial).toBe('1');
    expect(firstFull).toBeLessThanOrEqual(1);
    expect(seenAt - movedAt).toBeLessThanOrEqual(2);
    expect(idle.every((s) => s === 304)).toBe(true);
    expect(pinnedWebhook.body.status).toBe('pinned');
    expect(revisionOf(sdk)).toBe('1');
    expect(answers.slice(pinnedFrom).every((s) => s === 304)).toBe(true);
  });
});

/** The projects config once the operator has added an access token for sdk_key (a secure environment now). */
const TOKENED = {
  projects: {
    [PROJECT_ID]: {
      ...TEST_PROJECTS.projects[PROJECT_ID],
      accessTokens: { ...TEST_PROJECTS.projects[PROJECT_ID]?.accessTokens, sdk_key: 'token-abcdefghij' },
    },
  },
};
const tokenedConfig = () => testWebhookConfig(env.stores, fetchPolicyFor(env.origin), TOKENED);
const copied = () => objectExists(env.stores, mirrorObjectKey('sdk_key'));

/** Deliver a webhook for `revision` of sdk_key to a webhook configured with its access token. */
async function deliverWithToken(revision: number): Promise<Record<string, unknown>> {
  serveRevision(env.origin, revision);
  const app = createWebhookApp(tokenedConfig(), opsOverrides(env, { mirror }));
  const res = await app(httpApiEvent(payload({ revision, key: 'sdk_key', origin: env.origin.url })));
  return JSON.parse(res.body) as Record<string, unknown>;
}

function storeDeps() {
  return {
    ledger: new DynamoLedger({ table: env.stores.table, client: env.stores.dynamo }),
    store: new S3Store({ bucket: env.stores.bucket, client: env.stores.s3 }),
  };
}
