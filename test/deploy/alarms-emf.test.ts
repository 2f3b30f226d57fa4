import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { body, type LocalOrigin, startOrigin } from '../../local/origin';
import { makeDatafile, PROJECT_ID } from '../support/datafiles';
import { type Datapoint, datapointsFrom } from '../support/emf';
import { installCapture } from '../support/log-capture';
import { freshStores, type TestStores } from '../support/stores';
import { httpApiEvent, payload, SECRET } from '../support/webhooks';
import { type Alarm, alarmsOf, breaches, lambdaErrors, unmatchedAlarms } from './alarms';
import { type Packaged, packageStack } from './package';

// The proof that the alarms watch what the code really emits: package the stack, run the real Lambda
// entry points (functions/*.ts, configured by environment alone) against the local stores through
// working and failing scenarios, read back the EMF lines they print as CloudWatch would, and hold
// every packaged alarm against them.

type WebhookHandler = (event: unknown) => Promise<{ statusCode: number; body: string }>;
type ReconcileHandler = () => Promise<{ counts: Record<string, number> }>;
type RollbackHandler = (event: unknown) => Promise<{ keys: unknown[] }>;

const capture = installCapture();
const saved = { ...process.env };
let packaged: Packaged;
let stores: TestStores;
let origin: LocalOrigin;
let closed: string;
let names: { webhook: string; reconcile: string; rollback: string };
const scenarios: Record<string, Datapoint[]> = {};
const answers: Record<string, unknown> = {};

/** Which scenarios must put each alarm in ALARM (every other scenario must not). */
const EXPECTED_BREACHES: Record<string, string[]> = {
  // Crashes and timeouts only: the webhook answers every failure it knows of, so none of these throw.
  WebhookErrorsAlarm: [],
  WebhookFailuresAlarm: ['webhook fetch failure', 'webhook storage outage', 'webhook config unreadable'],
  ReconcileErrorsAlarm: ['reconcile config unreadable'],
  ReconcileFailuresAlarm: ['reconcile partial failure', 'reconcile config unreadable'],
  RollbackErrorsAlarm: ['rollback refused'],
};

function environment(fn: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_LAMBDA_FUNCTION_NAME: fn,
    DATAFILE_TABLE: stores.table,
    DATAFILE_BUCKET: stores.bucket,
    SYNC_PROJECTS: JSON.stringify({ projects: { [PROJECT_ID]: { secrets: [SECRET] } } }),
    ALLOWED_HOSTS: `127.0.0.1:${origin.port}`,
    ALLOW_LOOPBACK: 'true',
    DATAFILE_ORIGIN_BASE_URL: origin.url,
    DATAFILE_CDN_BASE_URL: `${origin.url}/cdn`,
    FETCH_BUDGET_MS: '600',
    FETCH_ATTEMPT_TIMEOUT_MS: '300',
    FETCH_BASE_DELAY_MS: '5',
    FETCH_MAX_DELAY_MS: '20',
    AWS_ENDPOINT_URL_S3: String(saved.TEST_S3_ENDPOINT),
    AWS_ENDPOINT_URL_DYNAMODB: String(saved.TEST_DYNAMODB_ENDPOINT),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_MAX_ATTEMPTS: '2',
    LOG_LEVEL: 'error',
    ...extra,
  };
}

/** Load a function module fresh, as a new Lambda container would, with only the given environment. */
function coldStart<H>(fn: 'webhook' | 'reconcile' | 'rollback', env: Record<string, string>): H {
  process.env = { ...saved, ...env };
  let handler: H | undefined;
  jest.isolateModules(() => {
    handler = (require(`../../functions/${fn}`) as { handler: H }).handler;
  });
  return handler as H;
}

/** Run one invocation and keep what CloudWatch would record for it: the EMF lines plus Lambda's own Errors. */
async function scenario(name: string, fn: 'webhook' | 'reconcile' | 'rollback', act: () => Promise<unknown>): Promise<void> {
  const mark = capture.mark();
  let threw = false;
  try {
    answers[name] = await act();
  } catch (error) {
    threw = true;
    answers[name] = error;
  } finally {
    process.env = { ...saved };
  }
  scenarios[name] = [...datapointsFrom(capture.since(mark).filter((l) => l.source === 'stdout')), lambdaErrors(names[fn], threw)];
}

async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

function serve(key: string, revision: number | 404) {
  const responder =
    revision === 404
      ? (_: unknown, res: import('node:http').ServerResponse) => res.writeHead(404).end()
      : body(makeDatafile({ revision, sdkKey: key }));
  origin.serve(`/datafiles/${key}.json`, responder);
  origin.serve(`/cdn/datafiles/${key}.json`, responder);
}

const deliver = (env: Record<string, string>, key: string, revision: number) =>
  coldStart<WebhookHandler>('webhook', env)(httpApiEvent(payload({ revision, key, origin: origin.url })));

beforeAll(async () => {
  [packaged, stores, origin, closed] = await Promise.all([packageStack('ci'), freshStores(), startOrigin(), closedPort()]);
  const fnName = (id: string) => String(packaged.template.Resources[id]?.Properties?.FunctionName);
  names = {
    webhook: fnName('WebhookLambdaFunction'),
    reconcile: fnName('ReconcileLambdaFunction'),
    rollback: fnName('RollbackLambdaFunction'),
  };
  const webhookEnv = environment(names.webhook);
  const reconcileEnv = environment(names.reconcile);
  const ssmUnreadable = { SYNC_CONFIG_PARAMETER: '/optimizely-datafile-sync/ci/config', AWS_ENDPOINT_URL_SSM: closed };

  serve('key_a', 1);
  serve('key_b', 1);
  await scenario('webhook success', 'webhook', async () => [await deliver(webhookEnv, 'key_a', 1), await deliver(webhookEnv, 'key_b', 1)]);
  serve('key_c', 404);
  await scenario('webhook fetch failure', 'webhook', () => deliver(webhookEnv, 'key_c', 1));
  await scenario('webhook storage outage', 'webhook', () => deliver({ ...webhookEnv, AWS_ENDPOINT_URL_DYNAMODB: closed }, 'key_a', 2));
  await scenario('webhook config unreadable', 'webhook', () => deliver({ ...webhookEnv, ...ssmUnreadable }, 'key_a', 2));

  serve('key_a', 2);
  await scenario('reconcile success', 'reconcile', () => coldStart<ReconcileHandler>('reconcile', reconcileEnv)());
  serve('key_b', 404);
  await scenario('reconcile partial failure', 'reconcile', () => coldStart<ReconcileHandler>('reconcile', reconcileEnv)());
  await scenario('reconcile config unreadable', 'reconcile', () =>
    coldStart<ReconcileHandler>('reconcile', { ...reconcileEnv, ...ssmUnreadable })(),
  );

  // key_a moved 1 → 2 just now (reconcile success): an alarm a minute later rolls it back; with its
  // revision-1 object gone, the same alarm is refused for it and the function throws.
  const rollbackEnv = environment(names.rollback, { ROLLBACK_ALARM_NAMES: 'api-5xx' });
  const alarm = (value: string) => ({
    source: 'aws.cloudwatch',
    'detail-type': 'CloudWatch Alarm State Change',
    detail: { alarmName: 'api-5xx', state: { value, timestamp: new Date(Date.now() + 60_000).toISOString() } },
  });
  await scenario('rollback ignored', 'rollback', () => coldStart<RollbackHandler>('rollback', rollbackEnv)(alarm('OK')));
  const revisionOne = (await stores.s3.send(new ListObjectsV2Command({ Bucket: stores.bucket, Prefix: 'datafiles/key_a/revisions/1-' })))
    .Contents?.[0]?.Key;
  await stores.s3.send(new DeleteObjectCommand({ Bucket: stores.bucket, Key: String(revisionOne) }));
  await scenario('rollback refused', 'rollback', () => coldStart<RollbackHandler>('rollback', rollbackEnv)(alarm('ALARM')));
}, 300_000);

afterAll(async () => {
  process.env = saved;
  await origin?.close();
  if (packaged) rmSync(packaged.dir, { recursive: true, force: true });
});

const all = () => Object.values(scenarios).flat();
const status = (name: string) =>
  [answers[name]]
    .flat()
    .map((a) => [
      (a as { statusCode: number }).statusCode,
      JSON.parse((a as { body: string }).body).status ?? JSON.parse((a as { body: string }).body).error,
    ]);

describe('the packaged alarms', () => {
  it('ran the scenarios they are checked against: real answers from the real entry points', () => {
    expect(status('webhook success')).toEqual([
      [200, 'updated'],
      [200, 'updated'],
    ]);
    expect(status('webhook fetch failure')).toEqual([[502, 'datafile_fetch_failed']]);
    expect(status('webhook storage outage')).toEqual([[503, 'storage_unavailable']]);
    expect(status('webhook config unreadable')).toEqual([[503, 'config_unavailable']]);
    expect(answers['reconcile success']).toMatchObject({ keys: 2, counts: { updated: 1, unchanged: 1, failed: 0 } });
    expect(answers['reconcile partial failure']).toMatchObject({ keys: 2, counts: { failed: 1 } });
    expect(answers['reconcile config unreadable']).toMatchObject({ code: 'reconcile_failed' });
    expect(answers['rollback ignored']).toMatchObject({ acted: false, keys: [] });
    expect(answers['rollback refused']).toMatchObject({ code: 'rollback_failed' });
  });

  it('each watch a namespace, metric, dimensions and statistic something emitted', () => {
    const alarms = alarmsOf(packaged.template);

    expect(alarms.map((a) => a.id).sort()).toEqual(Object.keys(EXPECTED_BREACHES).sort());
    expect(unmatchedAlarms(alarms, all())).toEqual([]);
  });

  it('go off in exactly the failing scenarios they are named for', () => {
    const fired = Object.fromEntries(
      alarmsOf(packaged.template).map((a) => [a.id, Object.keys(scenarios).filter((s) => breaches(a, scenarios[s] ?? []))]),
    );

    expect(fired).toEqual(EXPECTED_BREACHES);
  });

  it('print every datapoint in the metrics namespace with the function name as service, and no secret', () => {
    const ours = all().filter((p) => p.namespace !== 'AWS/Lambda');

    expect(new Set(ours.map((p) => p.dimensions.service))).toEqual(new Set([names.webhook, names.reconcile]));
    expect(JSON.stringify(ours)).not.toContain(SECRET);
  });
});

describe('the metrics beside the alarms', () => {
  it('report fetch time and size of a stored datafile, and the pointer age of every key', () => {
    const metricsOf = (name: string) => (scenarios[name] ?? []).map((p) => [p.metric, p.dimensions.Key ?? '']);

    expect(metricsOf('webhook success')).toEqual(
      expect.arrayContaining([
        ['FetchDuration', ''],
        ['DatafileBytes', ''],
      ]),
    );
    expect(metricsOf('reconcile success')).toEqual(
      expect.arrayContaining([
        ['MaxPointerAgeSeconds', ''],
        ['PointerAgeSeconds', 'key_a'],
        ['PointerAgeSeconds', 'key_b'],
      ]),
    );
  });
});

describe('the alarm check', () => {
  const doctor = (change: Partial<Alarm>): Alarm[] => {
    const real = alarmsOf(packaged.template).find((a) => a.id === 'WebhookFailuresAlarm') as Alarm;
    return [{ ...real, ...change, id: 'Doctored' }];
  };

  it.each<[string, Partial<Alarm>]>([
    ['a metric nobody emits', { metric: 'WebhookFailure' }],
    ['another namespace', { namespace: 'OptimizelyDatafileSyncs' }],
    ['the other function', { dimensions: { service: 'optimizely-datafile-sync-ci-reconcile' } }],
    ['a dimension set nothing is emitted under', { dimensions: {} }],
    ['a statistic CloudWatch does not know', { statistic: 'p99' }],
  ])('rejects an alarm on %s', (_, change) => {
    expect(unmatchedAlarms(doctor(change), all())).toEqual(['Doctored']);
  });

  it('notices a threshold one failing webhook never reaches', () => {
    const [lenient] = doctor({ threshold: 5 });

    expect(breaches(lenient as Alarm, scenarios['webhook fetch failure'] ?? [])).toBe(false);
  });
});
