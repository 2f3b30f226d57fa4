import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { GetItemCommand, PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { CopyObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createWebhookApp } from '../../lib/app';
import type { HttpResponse } from '../../lib/webhook/http';
import { body, hang, type LocalOrigin, type Responder, startOrigin, status, truncated } from '../../local/origin';
import { makeDatafile } from '../support/datafiles';
import { awsError, crash, type FaultRule, seededRandom, withFaults } from '../support/faults';
import { checkInvariants, startReaderProbe, stopAllProbes, storedObjects } from '../support/invariants';
import { fetchPolicyFor, testWebhookConfig } from '../support/ops';
import { freshStores, type TestStores } from '../support/stores';
import { httpApiEvent, payload } from '../support/webhooks';

let stores: TestStores;
let origin: LocalOrigin;
const MAX_BYTES = 64 * 1024;

beforeAll(async () => {
  stores = await freshStores();
  origin = await startOrigin();
});
afterEach(stopAllProbes);
afterAll(async () => {
  await origin.close();
});

function app(clients: { s3: TestStores['s3']; dynamo: TestStores['dynamo'] } = stores, slack = false) {
  const config = testWebhookConfig(
    stores,
    fetchPolicyFor(origin, {
      maxBytes: MAX_BYTES,
      connectTimeoutMs: 500,
      // Short, so fetch faults fail fast; with slack (many concurrent deliveries on 2 cores) a slow fetch is no fault.
      attemptTimeoutMs: slack ? 5000 : 150,
      budgetMs: slack ? 10_000 : 400,
      maxDelayMs: 20,
    }),
  );
  return createWebhookApp(config, clients);
}

function serve(key: string, ...responders: Responder[]) {
  origin.serve(`/datafiles/${key}.json`, ...responders);
  origin.serve(`/cdn/datafiles/${key}.json`, ...responders);
}

const deliver = (handler: ReturnType<typeof app>, key: string, revision: number) =>
  handler(httpApiEvent(payload({ revision, key, origin: origin.url })));

const parsed = (res: HttpResponse) => JSON.parse(res.body) as Record<string, unknown>;

/** A 5xx a caller can act on: JSON, a stable code, a message, and nothing else (no stack). */
function expectCleanFailure(res: HttpResponse, code: string) {
  expect(res.statusCode).toBeGreaterThanOrEqual(500);
  expect(res.headers['content-type']).toBe('application/json');
  expect(Object.keys(parsed(res)).sort()).toEqual(['error', 'message']);
  expect(parsed(res).error).toBe(code);
  expect(res.body).not.toMatch(/\n\s+at |injected/);
}

interface Scenario {
  /** What goes wrong during the delivery of revision 2 (revision 1 is already stored). */
  fault: string;
  /** The origin's answers for revision 2 during the failing attempt (default: the good datafile). */
  fetch?: (good: string) => Responder[];
  s3?: FaultRule[];
  dynamo?: FaultRule[];
  code: string;
  /** Whether revision 2 reached the ledger before the failure (decides the redelivery's answer). */
  recorded: boolean;
}

/** The rule fires on the first matching call after a transaction committed (whatever came before). */
function afterTransaction(rule: Omit<FaultRule, 'nth'>): FaultRule[] {
  let committed = false;
  let fired = false;
  const watch: FaultRule = {
    command: TransactWriteItemsCommand,
    when: 'after',
    nth: () => {
      committed = true;
      return false;
    },
  };
  const fire = () => {
    if (!committed || fired) return false;
    fired = true;
    return true;
  };
  return [watch, { ...rule, nth: fire }];
}

const scenarios: Scenario[] = [
  { fault: 'origin and CDN answer 500', fetch: () => [status(500)], code: 'datafile_fetch_failed', recorded: false },
  { fault: 'the fetch times out', fetch: () => [hang()], code: 'datafile_fetch_failed', recorded: false },
  { fault: 'the body is truncated', fetch: (good) => [truncated(good)], code: 'datafile_fetch_failed', recorded: false },
  {
    fault: 'the datafile is over the size cap',
    fetch: () => [body(makeDatafile({ revision: 2, padTo: MAX_BYTES + 1 }))],
    code: 'datafile_fetch_failed',
    recorded: false,
  },
  {
    fault: 'a gzip bomb (small on the wire, over the cap unpacked)',
    fetch: () => [body(gzipSync(Buffer.alloc(MAX_BYTES * 64, 0x20)), { 'content-encoding': 'gzip' })],
    code: 'datafile_fetch_failed',
    recorded: false,
  },
  {
    fault: 'Optimizely still serves the older revision',
    fetch: () => [body(makeDatafile({ revision: 1 }))],
    code: 'stale_datafile',
    recorded: false,
  },
  { fault: 'the datafile is not valid JSON', fetch: (good) => [body(good.slice(0, -1))], code: 'invalid_datafile', recorded: false },
  {
    fault: 'the first ledger read fails',
    dynamo: [{ command: GetItemCommand, when: 'before' }],
    code: 'storage_unavailable',
    recorded: false,
  },
  {
    fault: 'reading S3 metadata fails',
    s3: [{ command: HeadObjectCommand, when: 'before' }],
    code: 'storage_unavailable',
    recorded: false,
  },
  {
    fault: 'the S3 revision write fails',
    s3: [{ command: PutObjectCommand, when: 'before' }],
    code: 'storage_unavailable',
    recorded: false,
  },
  {
    fault: 'a crash after the S3 write, before the transaction',
    s3: [{ command: PutObjectCommand, when: 'after', error: crash }],
    code: 'storage_unavailable',
    recorded: false,
  },
  {
    fault: 'the DynamoDB transaction fails',
    dynamo: [{ command: TransactWriteItemsCommand, when: 'before', error: () => awsError('ProvisionedThroughputExceededException') }],
    code: 'storage_unavailable',
    recorded: false,
  },
  {
    fault: 'a crash after the transaction, before the alias',
    dynamo: [{ command: TransactWriteItemsCommand, when: 'after', error: crash }],
    code: 'storage_unavailable',
    recorded: true,
  },
  {
    fault: 'a crash reading the pointer for the alias',
    dynamo: afterTransaction({ command: GetItemCommand, when: 'before', error: crash }),
    code: 'storage_unavailable',
    recorded: true,
  },
  {
    fault: 'every alias update fails',
    s3: [{ command: CopyObjectCommand, when: 'before', nth: 'all', error: () => awsError('SlowDown') }],
    code: 'storage_unavailable',
    recorded: true,
  },
];

describe('a fault at any step of the webhook path', () => {
  it.each(scenarios.map((s, i) => [s.fault, { ...s, key: `fault_${i}` }] as const))(
    'when %s: answers a clean 5xx, loses nothing, and a redelivery converges',
    async (_name, scenario) => {
      // Arrange: revision 1 stored by a healthy delivery; a reader polls throughout.
      const { key } = scenario;
      serve(key, body(makeDatafile({ revision: 1 })));
      expect(parsed(await deliver(app(), key, 1)).status).toBe('updated');
      const good = makeDatafile({ revision: 2 });
      serve(key, ...(scenario.fetch?.(good) ?? [body(good)]));
      const s3 = withFaults(stores.s3, scenario.s3 ?? []);
      const dynamo = withFaults(stores.dynamo, scenario.dynamo ?? []);
      const reader = startReaderProbe(stores, key);

      // Act 1: the failing delivery.
      const failed = await deliver(app({ s3: s3.client, dynamo: dynamo.client }), key, 2);

      // Assert 1: a clean error, and storage consistent at the highest revision stored.
      expectCleanFailure(failed, scenario.code);
      if (scenario.s3 || scenario.dynamo) expect(s3.fired() + dynamo.fired()).toBeGreaterThan(0);
      const after = await checkInvariants(stores, key, { aliasConverged: false });
      expect(after.violations).toEqual([]);
      expect(after.pointer).toBe(scenario.recorded ? 2 : 1);

      // Act 2: Optimizely redelivers; everything is healthy again.
      serve(key, body(good));
      const redelivered = await deliver(app(), key, 2);

      // Assert 2: the right answer, converged storage, and no reader ever saw missing bytes.
      expect(redelivered.statusCode).toBe(200);
      expect(parsed(redelivered)).toMatchObject({ status: scenario.recorded ? 'unchanged' : 'updated', revision: 2, current: 2 });
      const final = await checkInvariants(stores, key, { aliasConverged: true });
      expect(final).toEqual({ violations: [], pointer: 2, history: [1, 2] });
      expect(await storedObjects(stores, key)).toEqual([1, 2]);
      const seen = await reader.stop();
      expect(seen.misses).toEqual([]);
      expect(seen.reads).toBeGreaterThan(0);
    },
  );

  it('absorbs a lost alias response: the copy landed, the re-check sees it, the answer is 200', async () => {
    // Arrange
    const key = 'fault_alias_response';
    serve(key, body(makeDatafile({ revision: 3 })));
    const s3 = withFaults(stores.s3, [{ command: CopyObjectCommand, when: 'after', nth: 'all', error: crash }]);
    const reader = startReaderProbe(stores, key);

    // Act
    const res = await deliver(app({ s3: s3.client, dynamo: stores.dynamo }), key, 3);

    // Assert
    expect(s3.fired()).toBeGreaterThan(0);
    expect([res.statusCode, parsed(res).status]).toEqual([200, 'updated']);
    expect(await checkInvariants(stores, key, { aliasConverged: true })).toEqual({ violations: [], pointer: 3, history: [3] });
    expect((await reader.stop()).misses).toEqual([]);
  });

  it('random faults and crashes under 50 concurrent deliveries: after redelivering every failure, nothing is lost', async () => {
    // Arrange: each delivery fetches its own revision; ~3% of every storage call fails before or after reaching the server.
    const key = 'chaos';
    const text = (revision: number) => makeDatafile({ revision, flags: { [`f${revision}`]: true } });
    const byQuery = (req: IncomingMessage, res: ServerResponse) =>
      body(text(Number(new URL(req.url ?? '', 'http://x').searchParams.get('rev'))))(req, res);
    serve(key, byQuery);
    const random = seededRandom(20_261_126);
    const chaos = (command: FaultRule['command']): FaultRule[] =>
      (['before', 'after'] as const).map((when) => ({
        command,
        when,
        nth: () => random() < 0.03,
        error: random() < 0.5 ? crash : undefined,
      }));
    const s3 = withFaults(stores.s3, [HeadObjectCommand, PutObjectCommand, CopyObjectCommand].flatMap(chaos));
    const dynamo = withFaults(stores.dynamo, [GetItemCommand, PutItemCommand, TransactWriteItemsCommand].flatMap(chaos));
    const order = Array.from({ length: 50 }, (_, i) => (i % 40) + 1).sort(() => random() - 0.5);
    const reader = startReaderProbe(stores, key);
    const send = (handler: ReturnType<typeof app>, revision: number) =>
      handler(httpApiEvent(payload({ revision, key, origin: origin.url, query: `?rev=${revision}` })));

    // Act: the chaotic round, then Optimizely's redeliveries of whatever failed, until none fails.
    const first = await Promise.all(order.map((r) => send(app({ s3: s3.client, dynamo: dynamo.client }, true), r)));
    let pending = order.filter((_, i) => (first[i]?.statusCode ?? 500) >= 500);
    for (let round = 0; round < 5 && pending.length > 0; round++) {
      const again = await Promise.all(pending.map((r) => send(app(stores, true), r)));
      pending = pending.filter((_, i) => (again[i]?.statusCode ?? 500) >= 500);
    }

    // Assert
    expect(s3.fired() + dynamo.fired()).toBeGreaterThan(0);
    for (const res of first.filter((r) => r.statusCode !== 200)) expectCleanFailure(res, 'storage_unavailable');
    expect(pending).toEqual([]);
    const range = Array.from({ length: 40 }, (_, i) => i + 1);
    expect(await checkInvariants(stores, key, { aliasConverged: true })).toEqual({ violations: [], pointer: 40, history: range });
    expect(await storedObjects(stores, key)).toEqual(range);
    expect((await reader.stop()).misses).toEqual([]);
  });
});
