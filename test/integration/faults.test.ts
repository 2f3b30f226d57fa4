import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import {
  BatchGetItemCommand,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CopyObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createWebhookApp } from '../../lib/app';
import { POINTER_SK } from '../../lib/layout';
import type { HttpResponse } from '../../lib/webhook/http';
import { type LocalEventBridge, startLocalEventBridge } from '../../local/eventbridge';
import { body, hang, type LocalOrigin, type Responder, startOrigin, status, truncated } from '../../local/origin';
import { makeDatafile } from '../support/datafiles';
import { awsError, crash, type FaultRule, seededRandom, withFaults } from '../support/faults';
import { checkInvariants, startReaderProbe, stopAllProbes, storedObjects } from '../support/invariants';
import { BUS, busClient, fetchPolicyFor, testWebhookConfig } from '../support/ops';
import { freshStores, type TestStores } from '../support/stores';
import { httpApiEvent, payload } from '../support/webhooks';

let stores: TestStores;
let origin: LocalOrigin;
let bus: LocalEventBridge;
const MAX_BYTES = 64 * 1024;

beforeAll(async () => {
  stores = await freshStores();
  origin = await startOrigin();
  bus = await startLocalEventBridge();
});
afterEach(stopAllProbes);
afterAll(async () => {
  await Promise.all([origin.close(), bus.close()]);
});

interface Clients {
  s3: TestStores['s3'];
  dynamo: TestStores['dynamo'];
  events?: EventBridgeClient;
}

/**
 * The webhook app on the test stores, publishing change events to the local bus. Its redeliveries
 * play ones that come after the settle grace period (settleGraceMs 0), so they finish what a fault
 * left unsettled at once.
 */
function app(clients: Clients = stores, slack = false) {
  const config = testWebhookConfig(
    stores,
    fetchPolicyFor(origin, {
      maxBytes: MAX_BYTES,
      connectTimeoutMs: 500,
      // Short, so fetch faults fail fast; with slack (many concurrent deliveries on 2 cores) a slow fetch is no fault.
      attemptTimeoutMs: slack ? 20_000 : 150,
      budgetMs: slack ? 45_000 : 400,
      maxDelayMs: 20,
    }),
  );
  return createWebhookApp(
    { ...config, eventBusName: BUS },
    {
      s3: clients.s3,
      dynamo: clients.dynamo,
      events: clients.events ?? busClient(bus),
      notifyOptions: { sleep: async () => undefined },
      settleGraceMs: 0,
    },
  );
}

function serve(key: string, ...responders: Responder[]) {
  origin.serve(`/datafiles/${key}.json`, ...responders);
  origin.serve(`/cdn/datafiles/${key}.json`, ...responders);
}

const deliver = (handler: ReturnType<typeof app>, key: string, revision: number) =>
  handler(httpApiEvent(payload({ revision, key, origin: origin.url })));

const parsed = (res: HttpResponse) => JSON.parse(res.body) as Record<string, unknown>;

/** The pointer item's `pendingEvent` (the id of a move not yet settled) and `eventId`. */
async function moveMarks(key: string): Promise<{ pending?: string; eventId?: string }> {
  const out = await stores.dynamo.send(
    new GetItemCommand({ TableName: stores.table, Key: { pk: { S: key }, sk: { S: POINTER_SK } }, ConsistentRead: true }),
  );
  return { pending: out.Item?.pendingEvent?.S, eventId: out.Item?.eventId?.S };
}

/** The change events received for one revision of a key. */
function eventsFor(key: string, revision: number): { eventId: string }[] {
  return bus.events
    .map((e) => e.detail as { key: string; revision: number; eventId: string })
    .filter((d) => d.key === key && d.revision === revision);
}

/** A 5xx a caller can act on: JSON, a stable code, a message, and nothing else (no stack, no AWS error class). */
function expectCleanFailure(res: HttpResponse, code: string) {
  expect(res.statusCode).toBeGreaterThanOrEqual(500);
  expect(res.headers['content-type']).toBe('application/json');
  expect(Object.keys(parsed(res)).sort()).toEqual(['error', 'message']);
  expect(parsed(res).error).toBe(code);
  expect(res.body).not.toMatch(/\n\s+at |injected|Exception|SlowDown|Throttling|Error\b/);
}

interface Scenario {
  /** What goes wrong during the delivery of revision 2 (revision 1 is already stored). */
  fault: string;
  /** The origin's answers for revision 2 during the failing attempt (default: the good datafile). */
  fetch?: (good: string) => Responder[];
  s3?: FaultRule[];
  dynamo?: FaultRule[];
  events?: FaultRule[];
  /** The failing delivery's error code; absent when the fault is absorbed and the answer is 200 `updated`. */
  code?: string;
  /** Whether revision 2 reached the ledger before the failure (decides the redelivery's answer). */
  recorded: boolean;
  /** Whether the failing delivery leaves revision 2's move unsettled (alias or event still owed). */
  unsettled?: boolean;
}

const lostResponse = (command: FaultRule['command'], nth: FaultRule['nth'] = 1): FaultRule[] => [
  { command, when: 'after', nth, error: crash },
];

/**
 * One scenario per step of the path of a new revision: fetch, BatchGetItem (pointer + history),
 * PutObject (revision), TransactWriteItems (history + pointer move, born unsettled), CopyObject
 * (latest.json), PutEvents (change event), UpdateItem (settle). Each step fails before reaching the
 * server and after it (a lost response or a crash), once (absorbed by retries) and for good.
 */
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
    fault: 'the ledger lookup (BatchGetItem) fails',
    dynamo: [{ command: BatchGetItemCommand, when: 'before' }],
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
    s3: lostResponse(PutObjectCommand),
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
    dynamo: lostResponse(TransactWriteItemsCommand),
    code: 'storage_unavailable',
    recorded: true,
    unsettled: true,
  },
  {
    fault: 'every alias copy fails',
    s3: [{ command: CopyObjectCommand, when: 'before', nth: 'all', error: () => awsError('SlowDown') }],
    code: 'storage_unavailable',
    recorded: true,
    unsettled: true,
  },
  {
    fault: 'every alias copy lands but its response is lost',
    s3: lostResponse(CopyObjectCommand, 'all'),
    code: 'storage_unavailable',
    recorded: true,
    unsettled: true,
  },
  { fault: 'one alias copy fails', s3: [{ command: CopyObjectCommand, when: 'before' }], recorded: true },
  { fault: 'one alias copy response is lost', s3: lostResponse(CopyObjectCommand), recorded: true },
  {
    fault: 'every change event publish fails',
    events: [{ command: PutEventsCommand, when: 'before', nth: 'all', error: () => awsError('ThrottlingException') }],
    recorded: true,
    unsettled: true,
  },
  { fault: 'one change event publish fails', events: [{ command: PutEventsCommand, when: 'before' }], recorded: true },
  {
    fault: 'every settle write fails',
    dynamo: [{ command: UpdateItemCommand, when: 'before', nth: 'all', error: () => awsError('ThrottlingException') }],
    code: 'storage_unavailable',
    recorded: true,
    unsettled: true,
  },
  { fault: 'one settle write fails', dynamo: [{ command: UpdateItemCommand, when: 'before' }], recorded: true },
  { fault: 'the settle lands but its response is lost', dynamo: lostResponse(UpdateItemCommand), recorded: true },
];

describe('a fault at any step of the webhook path', () => {
  it.each(scenarios.map((s, i) => [s.fault, { ...s, key: `fault_${i}` }] as const))(
    'when %s: loses nothing, owes at most the settle, and a redelivery converges and announces the move',
    async (_name, scenario) => {
      // Arrange: revision 1 stored by a healthy delivery; a reader polls throughout.
      const { key } = scenario;
      serve(key, body(makeDatafile({ revision: 1 })));
      expect(parsed(await deliver(app(), key, 1)).status).toBe('updated');
      const good = makeDatafile({ revision: 2 });
      serve(key, ...(scenario.fetch?.(good) ?? [body(good)]));
      const s3 = withFaults(stores.s3, scenario.s3 ?? []);
      const dynamo = withFaults(stores.dynamo, scenario.dynamo ?? []);
      const events = withFaults(busClient(bus), scenario.events ?? []);
      const reader = startReaderProbe(stores, key);

      // Act 1: the failing delivery.
      const failed = await deliver(app({ s3: s3.client, dynamo: dynamo.client, events: events.client }), key, 2);

      // Assert 1: a clean error (or an absorbed fault), storage consistent at the highest revision
      // stored, and the move still marked unsettled exactly when something is owed.
      if (scenario.code) expectCleanFailure(failed, scenario.code);
      else expect([failed.statusCode, parsed(failed).status]).toEqual([200, 'updated']);
      if (scenario.s3 || scenario.dynamo || scenario.events) expect(s3.fired() + dynamo.fired() + events.fired()).toBeGreaterThan(0);
      const after = await checkInvariants(stores, key, { aliasConverged: false });
      expect(after.violations).toEqual([]);
      expect(after.pointer).toBe(scenario.recorded ? 2 : 1);
      const owed = await moveMarks(key);
      expect(owed.pending).toBe(scenario.unsettled ? owed.eventId : undefined);

      // Act 2: Optimizely redelivers; everything is healthy again.
      serve(key, body(good));
      const redelivered = await deliver(app(), key, 2);

      // Assert 2: the right answer, converged and settled storage, the move announced at least once
      // under one stable event id, and no reader ever saw missing bytes.
      expect(redelivered.statusCode).toBe(200);
      expect(parsed(redelivered)).toMatchObject({ status: scenario.recorded ? 'unchanged' : 'updated', revision: 2, current: 2 });
      const final = await checkInvariants(stores, key, { aliasConverged: true });
      expect(final).toEqual({ violations: [], pointer: 2, history: [1, 2] });
      expect(await storedObjects(stores, key)).toEqual([1, 2]);
      const marks = await moveMarks(key);
      expect(marks.pending).toBeUndefined();
      const announced = eventsFor(key, 2);
      expect(announced.length).toBeGreaterThan(0);
      expect(new Set(announced.map((e) => e.eventId))).toEqual(new Set([marks.eventId]));
      if (scenario.unsettled) expect(marks.eventId).toBe(owed.eventId);
      const seen = await reader.stop();
      expect(seen.misses).toEqual([]);
      expect(seen.reads).toBeGreaterThan(0);
    },
  );

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
    const s3 = withFaults(stores.s3, [PutObjectCommand, CopyObjectCommand].flatMap(chaos));
    const dynamo = withFaults(
      stores.dynamo,
      [BatchGetItemCommand, GetItemCommand, PutItemCommand, TransactWriteItemsCommand, UpdateItemCommand].flatMap(chaos),
    );
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

    // Assert: converged, the last move settled and announced under the pointer's event id.
    expect(s3.fired() + dynamo.fired()).toBeGreaterThan(0);
    for (const res of first.filter((r) => r.statusCode !== 200)) expectCleanFailure(res, 'storage_unavailable');
    expect(pending).toEqual([]);
    const range = Array.from({ length: 40 }, (_, i) => i + 1);
    expect(await checkInvariants(stores, key, { aliasConverged: true })).toEqual({ violations: [], pointer: 40, history: range });
    expect(await storedObjects(stores, key)).toEqual(range);
    const { eventId } = await moveMarks(key);
    expect(eventsFor(key, 40).map((e) => e.eventId)).toContain(eventId);
    expect((await reader.stop()).misses).toEqual([]);
  });
});
