import { type DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoLedger } from '../../lib/aws/dynamo-ledger';
import { S3Store } from '../../lib/aws/s3-store';
import { aliasObjectKey } from '../../lib/layout';
import { pinRevision, unpinRevision } from '../../lib/sync/pin';
import { body } from '../../local/origin';
import { makeDatafile } from '../support/datafiles';
import { awsError, crash, withFaults } from '../support/faults';
import { cli, eventsOf, integrityApp, integrityReconcile, pointerItem, send } from '../support/integrity';
import { checkInvariants } from '../support/invariants';
import { busClient, deliver, serveRevision, startOpsEnv } from '../support/ops';
import { recordCommands } from '../support/publish';
import { localClients, readObject } from '../support/stores';

let env: Awaited<ReturnType<typeof startOpsEnv>>;

beforeEach(async () => {
  env = await startOpsEnv();
});
afterEach(() => env.close());

const KEY = 'sdk_key';

/** Revision 1 settled, then a delivery of revision 2 that crashes right after its transaction commits. */
async function crashAfterTransaction() {
  await deliver(env, 1);
  serveRevision(env.origin, 2);
  const dynamo = withFaults(env.stores.dynamo, [{ command: TransactWriteItemsCommand, when: 'after', error: crash }]);
  const failed = await send(integrityApp(env, { dynamo: dynamo.client }), env, KEY, 2);
  return { failed, marks: await pointerItem(env, KEY) };
}

/** A delivery or reconcile run after the settle grace period. */
const LATER = { settleGraceMs: 0 };

/** Pin operations whose change events all fail to publish (each move stays unsettled). */
function busDownPinDeps() {
  return {
    ledger: new DynamoLedger({ table: env.stores.table, client: env.stores.dynamo }),
    store: new S3Store({ bucket: env.stores.bucket, client: env.stores.s3 }),
    notify: async () => false,
  };
}

describe('change events are published at least once, under the move’s stable eventId', () => {
  it('after a crash between the transaction and PutEvents: 5xx, the move stays marked; a redelivery publishes and settles it', async () => {
    // Arrange
    const { failed, marks } = await crashAfterTransaction();

    // Act: a redelivery that comes after the grace period (an unsettled move younger than that is
    // still its mover's to finish, so racing duplicates do not announce it twice)
    const redelivered = await send(integrityApp(env, LATER), env, KEY, 2);

    // Assert
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(marks).toMatchObject({ revision: 2, pendingEvent: expect.any(String) });
    expect(marks.eventId).toBe(marks.pendingEvent);
    expect([redelivered.status, redelivered.body.status]).toEqual([200, 'unchanged']);
    expect(eventsOf(env, KEY).filter((e) => e.revision === 2)).toEqual([
      expect.objectContaining({ eventId: marks.pendingEvent, revision: 2, reason: 'webhook' }),
    ]);
    expect(await pointerItem(env, KEY)).toMatchObject({ revision: 2, pendingEvent: undefined, eventId: marks.pendingEvent });
    expect((await checkInvariants(env.stores, KEY, { aliasConverged: true })).violations).toEqual([]);
  });

  it('after the same crash with no redelivery: the next reconcile run publishes the event and settles the move', async () => {
    // Arrange
    const { failed, marks } = await crashAfterTransaction();

    // Act
    const summary = await integrityReconcile(env, LATER)();

    // Assert
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(summary).toMatchObject({ keys: 1, failures: [] });
    expect(eventsOf(env, KEY).filter((e) => e.revision === 2)).toEqual([
      expect.objectContaining({ eventId: marks.pendingEvent, revision: 2, reason: 'webhook' }),
    ]);
    expect(await pointerItem(env, KEY)).toMatchObject({ revision: 2, pendingEvent: undefined, eventId: marks.pendingEvent });
    expect((await checkInvariants(env.stores, KEY, { aliasConverged: true })).violations).toEqual([]);
  });

  it('when PutEvents keeps failing: the webhook still answers 200, the mark stays until a later delivery publishes it', async () => {
    // Arrange
    await deliver(env, 1);
    serveRevision(env.origin, 2);
    const events = withFaults(busClient(env.bus), [
      { command: PutEventsCommand, when: 'before', nth: 'all', error: () => awsError('ThrottlingException') },
    ]);

    // Act
    const stored = await send(integrityApp(env, { events: events.client }), env, KEY, 2);
    const owed = await pointerItem(env, KEY);
    const eventsWhileFailing = eventsOf(env, KEY).filter((e) => e.revision === 2);
    const later = await send(integrityApp(env, LATER), env, KEY, 2);

    // Assert
    expect([stored.status, stored.body.status]).toEqual([200, 'updated']);
    expect(events.fired()).toBeGreaterThan(1);
    expect(env.logs).toContainEqual(expect.objectContaining({ level: 'error', m: 'change event not published', eventId: owed.eventId }));
    expect(owed).toMatchObject({ revision: 2, pendingEvent: owed.eventId });
    expect(eventsWhileFailing).toEqual([]);
    expect([later.status, later.body.status]).toEqual([200, 'unchanged']);
    expect(eventsOf(env, KEY).filter((e) => e.revision === 2)).toEqual([expect.objectContaining({ eventId: owed.eventId })]);
    expect(await pointerItem(env, KEY)).toMatchObject({ pendingEvent: undefined, eventId: owed.eventId });
  });

  it('a pin released in place keeps the pin’s unsettled move: its event is published, and none for the release', async () => {
    // Arrange: revision 1 settled, then pinned where it is while the bus is down
    await deliver(env, 1);
    await pinRevision(KEY, 1, busDownPinDeps());
    const pin = await pointerItem(env, KEY);

    // Act: unpin with nothing newer stored (a release in place, not a move)
    const released = await cli(env, 'unpin', KEY);

    // Assert
    expect(pin).toMatchObject({ revision: 1, pinned: true, pendingEvent: pin.eventId });
    expect(released.code).toBe(0);
    const events = eventsOf(env, KEY);
    expect(events.map((e) => [e.revision, e.reason])).toEqual([
      [1, 'webhook'],
      [1, 'pin'],
    ]);
    expect(events[1]?.eventId).toBe(pin.eventId);
    expect(await pointerItem(env, KEY)).toMatchObject({ revision: 1, pinned: false, pendingEvent: undefined });
  });
});

/** A delivery of `revision` while every PutEvents fails: stored, answered 200, its move left unsettled. */
async function deliverWithBusDown(revision: number) {
  serveRevision(env.origin, revision);
  const events = withFaults(busClient(env.bus), [
    { command: PutEventsCommand, when: 'before', nth: 'all', error: () => awsError('ThrottlingException') },
  ]);
  const res = await send(integrityApp(env, { events: events.client }), env, KEY, revision);
  return { res, marks: await pointerItem(env, KEY) };
}

/** The distinct eventIds the bus received for each revision of the key, by revision. */
function eventIdsByRevision(): Record<number, string[]> {
  const out: Record<number, string[]> = {};
  for (const e of eventsOf(env, KEY)) out[e.revision] = [...new Set([...(out[e.revision] ?? []), e.eventId])];
  return out;
}

/** The env's DynamoDB client, running `during` just before the first TransactWriteItems goes out. */
function pausedBeforeTransaction(during: () => Promise<void>): DynamoDBClient {
  const client = env.stores.dynamo;
  const real = client.send as unknown as (command: object, ...rest: unknown[]) => Promise<unknown>;
  let paused = false;
  const send = async (command: object, ...rest: unknown[]) => {
    if (command instanceof TransactWriteItemsCommand && !paused) {
      paused = true;
      await during();
    }
    return real.call(client, command, ...rest);
  };
  return new Proxy(client, { get: (target, prop, receiver) => (prop === 'send' ? send : Reflect.get(target, prop, receiver)) });
}

describe('a move that replaces an unsettled move still owes that move’s event', () => {
  it('webhook over webhook: revision 3 lands on an unsettled move to 2; the bus gets one eventId per move 1, 2 and 3', async () => {
    // Arrange: revision 1 settled; revision 2 stored while the bus is down (its move stays unsettled)
    await deliver(env, 1);
    const two = await deliverWithBusDown(2);

    // Act: revision 3 moves the pointer on from the unsettled move; then one more settle opportunity
    serveRevision(env.origin, 3);
    const three = await send(integrityApp(env), env, KEY, 3);
    const redelivered = await send(integrityApp(env, LATER), env, KEY, 2);
    const summary = await integrityReconcile(env, LATER)();

    // Assert
    expect([two.res.status, two.res.body.status]).toEqual([200, 'updated']);
    expect(two.marks).toMatchObject({ revision: 2, pendingEvent: two.marks.eventId });
    expect([three.status, three.body.status]).toEqual([200, 'updated']);
    expect([redelivered.status, summary.failures]).toEqual([200, []]);
    const ids = eventIdsByRevision();
    expect(Object.keys(ids)).toEqual(['1', '2', '3']);
    expect(ids[2]).toEqual([two.marks.eventId]);
    expect([ids[1]?.length, ids[3]?.length]).toEqual([1, 1]);
    expect(eventsOf(env, KEY).find((e) => e.revision === 2)).toMatchObject({ reason: 'webhook', previousRevision: 1 });
    expect(await pointerItem(env, KEY)).toMatchObject({ revision: 3, pendingEvent: undefined });
    expect((await checkInvariants(env.stores, KEY, { aliasConverged: true })).violations).toEqual([]);
  });

  it('pin over webhook: a pin that replaces an unsettled webhook move publishes that move’s event too', async () => {
    // Arrange
    await deliver(env, 1);
    const two = await deliverWithBusDown(2);

    // Act
    const pinned = await cli(env, 'pin', KEY, '1');

    // Assert
    expect(pinned.code).toBe(0);
    const events = eventsOf(env, KEY);
    expect(events.filter((e) => e.revision === 2)).toEqual([expect.objectContaining({ eventId: two.marks.eventId, reason: 'webhook' })]);
    expect(events.filter((e) => e.reason === 'pin')).toEqual([expect.objectContaining({ revision: 1, previousRevision: 2 })]);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(3);
    expect(await pointerItem(env, KEY)).toMatchObject({ revision: 1, pinned: true, pendingEvent: undefined });
  });

  it('two unsettled moves in a row: both events ride on the pointer until a later move or reconcile publishes them', async () => {
    // Arrange: revisions 2 and 3 both stored while the bus is down
    await deliver(env, 1);
    const two = await deliverWithBusDown(2);
    const three = await deliverWithBusDown(3);

    // Act: revision 4 while the bus is still down, then a reconcile run after the grace period
    const four = await deliverWithBusDown(4);
    const eventsWhileDown = eventsOf(env, KEY).filter((e) => e.revision > 1);
    const summary = await integrityReconcile(env, LATER)();

    // Assert
    expect([three.res.body.status, four.res.body.status]).toEqual(['updated', 'updated']);
    expect(eventsWhileDown).toEqual([]);
    expect(summary).toMatchObject({ failures: [] });
    expect(eventIdsByRevision()).toEqual({
      1: [expect.any(String)],
      2: [two.marks.eventId],
      3: [three.marks.eventId],
      4: [four.marks.eventId],
    });
    expect(eventsOf(env, KEY).map((e) => e.revision)).toEqual([1, 2, 3, 4]);
    expect(await pointerItem(env, KEY)).toMatchObject({ revision: 4, pendingEvent: undefined });
    expect((await checkInvariants(env.stores, KEY, { aliasConverged: true })).violations).toEqual([]);
  });

  it('a delivery that read the pointer before a pin and its release in place still carries the pin’s event', async () => {
    // Arrange: revision 1 settled; between the delivery of 2 reading the pointer and its transaction,
    // revision 1 is pinned and released in place while the bus is down (same revision, new move)
    await deliver(env, 1);
    serveRevision(env.origin, 2);
    let pin: Awaited<ReturnType<typeof pointerItem>> | undefined;
    const dynamo = pausedBeforeTransaction(async () => {
      await pinRevision(KEY, 1, busDownPinDeps());
      pin = await pointerItem(env, KEY);
      await unpinRevision(KEY, busDownPinDeps());
    });

    // Act
    const two = await send(integrityApp(env, { dynamo }), env, KEY, 2);

    // Assert
    expect(pin).toMatchObject({ revision: 1, pinned: true, pendingEvent: expect.any(String) });
    expect([two.status, two.body.status]).toEqual([200, 'updated']);
    const events = eventsOf(env, KEY);
    expect(events.map((e) => [e.revision, e.reason])).toEqual([
      [1, 'webhook'],
      [1, 'pin'],
      [2, 'webhook'],
    ]);
    expect(events[1]?.eventId).toBe(pin?.eventId);
    expect(await pointerItem(env, KEY)).toMatchObject({ revision: 2, pendingEvent: undefined });
    expect((await checkInvariants(env.stores, KEY, { aliasConverged: true })).violations).toEqual([]);
  });
});

describe('the cost of a delivery', () => {
  it('a new 10 KiB revision without a bus costs exactly 5 AWS requests; a duplicate costs 1 and fetches nothing', async () => {
    // Arrange: revision 1 stored; counting clients; revision 2 padded to 10 KiB.
    const clients = localClients();
    const sent = recordCommands(clients.s3, recordCommands(clients.dynamo));
    const handler = integrityApp(env, { ...clients, events: undefined }, false);
    serveRevision(env.origin, 1);
    expect((await send(handler, env, KEY, 1)).body.status).toBe('updated');
    const text = makeDatafile({ revision: 2, padTo: 10 * 1024 });
    env.origin.serve(`/datafiles/${KEY}.json`, body(text));
    sent.length = 0;

    // Act
    const fresh = await send(handler, env, KEY, 2);
    const freshRequests = [...sent];
    sent.length = 0;
    const fetchesBefore = env.origin.requests.length;
    const duplicate = await send(handler, env, KEY, 2);

    // Assert
    expect(text.length).toBeGreaterThanOrEqual(10 * 1024);
    expect(fresh.body.status).toBe('updated');
    expect((await readObject(env.stores, aliasObjectKey(KEY)))?.body).toBe(text);
    expect(freshRequests).toEqual([
      'BatchGetItemCommand',
      'PutObjectCommand',
      'TransactWriteItemsCommand',
      'CopyObjectCommand',
      'UpdateItemCommand',
    ]);
    expect(duplicate.body.status).toBe('unchanged');
    expect(sent).toEqual(['BatchGetItemCommand']);
    expect(env.origin.requests.length).toBe(fetchesBefore);
    clients.dynamo.destroy();
    clients.s3.destroy();
  });
});
