import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createReconcileApp, createWebhookApp } from '../../lib/app';
import { DynamoLedger } from '../../lib/aws/dynamo-ledger';
import { createDatafileReader } from '../../lib/reader';
import { createRollbackApp } from '../../lib/rollback-app';
import { type LocalEventBridge, startLocalEventBridge } from '../../local/eventbridge';
import { body, type LocalOrigin, startOrigin } from '../../local/origin';
import { type AwsCall, distinctCalls, recordAwsCalls } from '../support/aws-calls';
import { makeDatafile } from '../support/datafiles';
import { basesFor, busClient, captureLogger, fetchPolicyFor, serveRevision, TEST_PROJECTS } from '../support/ops';
import { type LocalSsm, startLocalSsm } from '../support/ssm-server';
import { freshStores, localClients, type TestStores } from '../support/stores';
import { httpApiEvent, payload } from '../support/webhooks';
import { type PrintedConfig, printStack } from './package';
import { bucketPolicy, identityStatements, simulate, testRefs, unusedGrants } from './simulate';
import type { Statement } from './template';

// The real webhook, reconcile, reader and rollback code runs against the local stores through clients that
// record every IAM authorisation their requests need; each one is then evaluated by an IAM policy
// simulator against the policies the stack deploys (the `ci` stage's resolved configuration).
const STAGE = 'ci';
const calls: AwsCall[] = [];
let config: PrintedConfig;
let stores: TestStores;
let origin: LocalOrigin;
let bus: LocalEventBridge;
let ssm: LocalSsm;
const outcomes: Record<string, unknown> = {};
const clients: Array<{ destroy(): void }> = [];

function recordedClients(caller: string) {
  const { dynamo, s3 } = localClients();
  const ssmClient = new SSMClient({ endpoint: ssm.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const events = busClient(bus);
  clients.push(dynamo, s3, ssmClient, events);
  return {
    dynamo: recordAwsCalls(dynamo, caller, calls),
    s3: recordAwsCalls(s3, caller, calls),
    ssm: recordAwsCalls(ssmClient, caller, calls),
    events: recordAwsCalls(events, caller, calls),
  };
}

/** The functions' configuration as deployed: SSM parameter and bus names come from the stack. */
function appConfig() {
  return {
    table: stores.table,
    bucket: stores.bucket,
    projects: { kind: 'ssm' as const, ttlMs: 300_000, parameter: String(config.provider.environment.SYNC_CONFIG_PARAMETER) },
    fetch: fetchPolicyFor(origin),
    eventBusName: String(config.custom.eventBusName),
    // As deployed (param mirrorEnabled: true): every settle maintains the SDK mirror's copy.
    mirror: { maxAgeSeconds: 1 },
  };
}

async function runScenario() {
  const logs: Record<string, unknown>[] = [];
  const common = { logger: captureLogger(logs), notifyOptions: { sleep: async () => undefined } };
  const webhook = createWebhookApp(appConfig(), { ...recordedClients('webhook'), ...common });
  const deliver = async (revision: number, key = 'sdk_key') => {
    serveRevision(origin, revision, key);
    const res = await webhook(httpApiEvent(payload({ revision, key, origin: origin.url })));
    return (JSON.parse(res.body) as { status: string }).status;
  };
  outcomes.webhook = [await deliver(5), await deliver(5), await deliver(4), await deliver(1, 'key_b')];
  // An operator pins sdk_key (CLI, not a function role); the next webhook meets the pin.
  {
    const ledger = new DynamoLedger({ table: stores.table, client: stores.dynamo });
    const stored = await ledger.getRevision('sdk_key', 5);
    if (!stored) throw new Error('revision 5 not stored');
    await ledger.pin(stored);
  }
  outcomes.pinnedWebhook = await deliver(6);

  // A secure environment (TEST_PROJECTS gives secure_key a token): stored, never mirrored; its
  // copy is removed on every move (webhook, reconcile, rollback).
  await deliver(1, 'secure_key');
  await deliver(2, 'secure_key');
  origin.serve('/auth/datafiles/auth/secure_key.json', body(makeDatafile({ revision: 3, sdkKey: 'secure_key' })));
  serveRevision(origin, 2, 'key_b');
  serveRevision(origin, 7);
  const reconcile = createReconcileApp(
    { ...appConfig(), bases: basesFor(origin), concurrency: 2 },
    { ...recordedClients('reconcile'), ...common },
  );
  outcomes.reconcile = (await reconcile()).counts;

  const { dynamo, s3 } = recordedClients('reader');
  const reader = createDatafileReader({ table: stores.table, bucket: stores.bucket, dynamo, s3, logger: () => undefined });
  outcomes.reader = (await reader.get('key_b')).revision;
  reader.close();

  // An alarm fires a minute later: key_b (reconcile moved it 1 → 2) rolls back; key_c has no earlier
  // revision (a Query finds none); key_d's previous object is gone (refused: a 404 needs ListBucket);
  // sdk_key is pinned (skipped). The run throws for key_d, as deployed.
  await deliver(3, 'key_c');
  await deliver(1, 'key_d');
  await deliver(2, 'key_d');
  await stores.s3.send(new DeleteObjectCommand({ Bucket: stores.bucket, Key: (await ledgerRevision('key_d', 1)).s3Key }));
  const rollback = createRollbackApp(
    {
      table: stores.table,
      bucket: stores.bucket,
      eventBusName: String(config.custom.eventBusName),
      alarmNames: ['api-5xx'],
      bakeSeconds: 600,
      mirror: { maxAgeSeconds: 1 },
      projects: appConfig().projects,
    },
    { ...recordedClients('rollback'), ...common },
  );
  const alarm = {
    source: 'aws.cloudwatch',
    'detail-type': 'CloudWatch Alarm State Change',
    detail: { alarmName: 'api-5xx', state: { value: 'ALARM', timestamp: new Date(Date.now() + 60_000).toISOString() } },
  };
  outcomes.rollback = await rollback(alarm).catch((e: { code?: string }) => e.code);
  const after = (key: string) => new DynamoLedger({ table: stores.table, client: stores.dynamo }).getPointer(key);
  outcomes.rolledBack = await Promise.all(
    ['key_b', 'key_c', 'key_d', 'secure_key'].map(async (k) => [k, (await after(k))?.revision, (await after(k))?.pinned]),
  );
}

async function ledgerRevision(key: string, revision: number) {
  const stored = await new DynamoLedger({ table: stores.table, client: stores.dynamo }).getRevision(key, revision);
  if (!stored) throw new Error(`revision ${revision} of ${key} not stored`);
  return stored;
}

beforeAll(async () => {
  [config, stores, origin, bus, ssm] = await Promise.all([
    printStack(STAGE),
    freshStores(),
    startOrigin(),
    startLocalEventBridge(),
    startLocalSsm(),
  ]);
  ssm.parameters.set(String(config.provider.environment.SYNC_CONFIG_PARAMETER), JSON.stringify(TEST_PROJECTS));
  await runScenario();
}, 120_000);

afterAll(async () => {
  for (const client of clients) client.destroy();
  await Promise.all([origin?.close(), bus?.close(), ssm?.close()]);
});

function policies() {
  const refs = testRefs({ table: stores.table, bucket: stores.bucket, service: 'optimizely-datafile-sync', stage: STAGE });
  const t = config.resources;
  return {
    webhook: identityStatements(t, 'WebhookRole', refs),
    reconcile: identityStatements(t, 'ReconcileRole', refs),
    reader: identityStatements(t, 'DatafileReaderPolicy', refs),
    rollback: identityStatements(t, 'RollbackRole', refs),
    bucket: bucketPolicy(t, refs),
  };
}

async function denied(
  caller: 'webhook' | 'reconcile' | 'reader' | 'rollback',
  statements: Statement[],
  bucket: unknown,
): Promise<string[]> {
  const problems: string[] = [];
  for (const call of distinctCalls(calls, caller)) {
    const verdict = await simulate(call, statements, bucket);
    if (verdict !== 'Allowed')
      problems.push(`${call.command} → ${call.action} on ${call.resource} ${JSON.stringify(call.context)}: ${verdict}`);
  }
  return problems;
}

describe('IAM, simulated against what the code really calls', () => {
  it('ran the scenario through every outcome it means to cover', () => {
    expect(outcomes).toEqual({
      webhook: ['updated', 'unchanged', 'superseded', 'updated'],
      pinnedWebhook: 'pinned',
      reconcile: expect.objectContaining({ updated: 2, pinned: 1, failed: 0 }),
      reader: 2,
      rollback: 'rollback_failed',
      rolledBack: [
        ['key_b', 1, true],
        ['key_c', 3, false],
        ['key_d', 2, false],
        ['secure_key', 2, true],
      ],
    });
    for (const caller of ['webhook', 'reconcile', 'reader', 'rollback']) expect(distinctCalls(calls, caller).length).toBeGreaterThan(0);
  });

  it.each(['webhook', 'reconcile', 'reader', 'rollback'] as const)('allows every call the %s makes', async (caller) => {
    const p = policies();

    const problems = await denied(caller, p[caller], p.bucket);

    expect(problems).toEqual([]);
  });

  it.each(['webhook', 'reconcile', 'reader', 'rollback'] as const)('grants the %s no action its code never uses', async (caller) => {
    const p = policies();

    const unused = await unusedGrants(p[caller], distinctCalls(calls, caller));

    expect(unused).toEqual([]);
  });

  it('denies a call outside the grants (the simulation can fail)', async () => {
    const p = policies();
    const [read] = distinctCalls(calls, 'reader').filter((c) => c.action === 's3:GetObject');
    if (!read) throw new Error('the reader made no GetObject');

    const alias = { ...read, resource: read.resource.replace(/revisions\/.*$/, 'latest.json') };
    const deleteItem = {
      ...read,
      service: 'dynamodb' as const,
      action: 'dynamodb:DeleteItem',
      resource: `arn:aws:dynamodb:us-east-1:123456789012:table/${stores.table}`,
    };

    expect(await simulate(alias, p.reader, p.bucket)).toBe('ImplicitlyDenied');
    expect(await simulate(deleteItem, p.webhook, p.bucket)).toBe('ImplicitlyDenied');
  });
});
