import { DynamoLedger } from '../../lib/aws/dynamo-ledger';
import { S3Store } from '../../lib/aws/s3-store';
import { pinRevision } from '../../lib/sync/pin';
import { signBody } from '../../lib/webhook/signature';
import type { LocalEventBridge } from '../../local/eventbridge';
import { body, type LocalOrigin, status } from '../../local/origin';
import { makeDatafile, PROJECT_ID } from '../support/datafiles';
import { deliver, reconcileApp, serveRevision, startOpsEnv, webhookApp } from '../support/ops';
import { itemsFor, listObjects, readObject } from '../support/stores';
import { httpApiEvent, SECRET } from '../support/webhooks';

let env: Awaited<ReturnType<typeof startOpsEnv>>;
let origin: LocalOrigin;
let bus: LocalEventBridge;

beforeEach(async () => {
  env = await startOpsEnv();
  ({ origin, bus } = env);
});
afterEach(() => env.close());

async function snapshot(key = 'sdk_key') {
  return { objects: await listObjects(env.stores), items: await itemsFor(env.stores, key) };
}

function summaryLine() {
  return env.logs.filter((l) => l.m === 'reconcile');
}

describe('reconcile', () => {
  it('repairs a missed webhook: stores the revision Optimizely now serves, moves the pointer, publishes a reconcile event', async () => {
    await deliver(env, 1);
    const two = serveRevision(origin, 2); // the webhook for revision 2 never arrived
    bus.events.length = 0;

    const summary = await reconcileApp(env)();

    expect(summary).toMatchObject({ keys: 1, counts: { updated: 1, unchanged: 0, failed: 0 } });
    expect((await readObject(env.stores, 'datafiles/sdk_key/latest.json'))?.body).toBe(two);
    expect(bus.events.map((e) => e.detail)).toEqual([expect.objectContaining({ reason: 'reconcile', revision: 2, previousRevision: 1 })]);
    expect(summaryLine()).toHaveLength(1);
  });

  it('changes nothing when nothing is new: a conditional fetch answered 304, no S3 or DynamoDB write and no event', async () => {
    await deliver(env, 3);
    await reconcileApp(env)(); // the first run remembers the datafile's ETag on the pointer
    const before = await snapshot();
    const fetches = origin.requests.length;
    bus.events.length = 0;

    const summary = await reconcileApp(env)();

    expect(summary.counts).toMatchObject({ unchanged: 1, updated: 0 });
    const asked = origin.requests.slice(fetches);
    expect(asked).toHaveLength(1);
    expect(asked[0]?.headers['if-none-match']).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await snapshot()).toEqual(before);
    expect(bus.events).toHaveLength(0);
  });

  it('keeps going when one key fails and reports it in the one summary line', async () => {
    await deliver(env, 1, 'key_a');
    await deliver(env, 1, 'key_b');
    origin.serve('/datafiles/key_a.json', status(404));
    origin.serve('/cdn/datafiles/key_a.json', status(404));
    serveRevision(origin, 2, 'key_b');

    const summary = await reconcileApp(env)();

    expect(summary).toMatchObject({
      keys: 2,
      counts: { updated: 1, failed: 1 },
      failures: [{ key: 'key_a', error: 'datafile_fetch_failed' }],
    });
    expect(summaryLine()).toEqual([expect.objectContaining({ level: 'warn', keys: 2 })]);
  });

  it('stores a new revision of a pinned key in history without moving the pointer', async () => {
    await deliver(env, 1);
    await pinRevision('sdk_key', 1, {
      ledger: new DynamoLedger({ table: env.stores.table, client: env.stores.dynamo }),
      store: new S3Store({ bucket: env.stores.bucket, client: env.stores.s3 }),
    });
    serveRevision(origin, 2);
    bus.events.length = 0;

    const summary = await reconcileApp(env)();

    expect(summary.counts.pinned).toBe(1);
    expect((await itemsFor(env.stores, 'sdk_key')).map((i) => i.sk?.S)).toEqual(['POINTER', 'REV#000000000001', 'REV#000000000002']);
    expect(bus.events).toHaveLength(0);
  });

  it('fetches a secure environment from the authenticated URL with its access token', async () => {
    await deliver(env, 1, 'secure_key');
    origin.serve('/auth/datafiles/auth/secure_key.json', body(makeDatafile({ revision: 2, sdkKey: 'secure_key' })));
    const seen = origin.requests.length;

    const summary = await reconcileApp(env)();

    expect(summary.counts.updated).toBe(1);
    const asked = origin.requests.slice(seen);
    expect(asked.map((r) => r.path)).toEqual(['/auth/datafiles/auth/secure_key.json']);
    expect(asked[0]?.headers.authorization).toBe('Bearer token-zyxwvutsrq');
  });

  it('fetches a legacy key (a project id) from /json/{id}.json', async () => {
    const legacy = makeDatafile({ revision: 1 });
    origin.serve(`/json/${PROJECT_ID}.json`, body(legacy));
    const text = JSON.stringify({
      project_id: Number(PROJECT_ID),
      timestamp: 1,
      event: 'project.datafile_updated',
      data: { revision: 1, origin_url: `${origin.url}/json/${PROJECT_ID}.json`, cdn_url: `${origin.url}/json/${PROJECT_ID}.json` },
    });
    await webhookApp(env)(httpApiEvent(text, { signature: signBody(SECRET, text) }));
    origin.serve(`/json/${PROJECT_ID}.json`, body(makeDatafile({ revision: 5 })));

    const summary = await reconcileApp(env)();

    expect(summary.counts.updated).toBe(1);
    expect((await itemsFor(env.stores, PROJECT_ID))[0]?.revision).toEqual({ N: '5' });
  });

  it('does nothing, successfully, for an empty table', async () => {
    const summary = await reconcileApp(env)();

    expect(summary).toMatchObject({ keys: 0, counts: { updated: 0, failed: 0 } });
  });
});

describe('functions/reconcile handler', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('runs from its environment alone: endpoints, base URLs and bus', async () => {
    await deliver(env, 1);
    serveRevision(origin, 2);
    bus.events.length = 0;
    Object.assign(process.env, {
      DATAFILE_TABLE: env.stores.table,
      DATAFILE_BUCKET: env.stores.bucket,
      WEBHOOK_SECRET: 'reconcile-test-secret',
      ALLOWED_HOSTS: `127.0.0.1:${origin.port}`,
      ALLOW_LOOPBACK: 'true',
      DATAFILE_ORIGIN_BASE_URL: origin.url,
      DATAFILE_CDN_BASE_URL: `${origin.url}/cdn`,
      EVENT_BUS_NAME: 'handler-bus',
      AWS_ENDPOINT_URL_S3: process.env.TEST_S3_ENDPOINT,
      AWS_ENDPOINT_URL_DYNAMODB: process.env.TEST_DYNAMODB_ENDPOINT,
      AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      LOG_LEVEL: 'error',
    });
    let handler: (() => Promise<{ counts: Record<string, number> }>) | undefined;
    jest.isolateModules(() => {
      handler = require('../../functions/reconcile').handler;
    });

    const summary = await handler?.();

    expect(summary?.counts).toMatchObject({ updated: 1, failed: 0 });
    expect(bus.events).toEqual([expect.objectContaining({ busName: 'handler-bus', detail: expect.objectContaining({ revision: 2 }) })]);
  });
});
