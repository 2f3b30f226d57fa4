import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE } from '../../lib/aws/events';
import type { LocalEventBridge } from '../../local/eventbridge';
import { body, type LocalOrigin } from '../../local/origin';
import { makeDatafile, PROJECT_ID } from '../support/datafiles';
import { BUS, busClient, deliver, type OpsEnv, startOpsEnv, webhookApp } from '../support/ops';
import { readObject } from '../support/stores';
import { httpApiEvent, payload } from '../support/webhooks';

let env: Awaited<ReturnType<typeof startOpsEnv>>;
let origin: LocalOrigin;
let bus: LocalEventBridge;

beforeEach(async () => {
  env = await startOpsEnv();
  ({ origin, bus } = env);
});
afterEach(() => env.close());

/** A real client whose first `failures` sends throw (EventBridge unreachable or throttling). */
function flakyClient(failures: number): EventBridgeClient {
  const client = busClient(bus);
  const send = client.send.bind(client);
  let left = failures;
  client.send = ((...args: Parameters<typeof send>) => {
    if (left-- > 0) return Promise.reject(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    return send(...args);
  }) as typeof client.send;
  return client;
}

describe('change events', () => {
  it('publishes one event with the documented source, detail-type and detail when a webhook moves the pointer', async () => {
    await deliver(env, 4);

    await deliver(env, 5);

    expect(bus.events).toHaveLength(2);
    const second = bus.events[1];
    expect(second).toMatchObject({ busName: BUS, source: EVENT_SOURCE, detailType: EVENT_DETAIL_TYPE });
    expect(second?.detail).toEqual({
      eventId: expect.any(String),
      movedAt: expect.any(String),
      key: 'sdk_key',
      projectId: PROJECT_ID,
      environment: 'Production',
      revision: 5,
      previousRevision: 4,
      s3Key: expect.stringMatching(/^datafiles\/sdk_key\/revisions\/5-[0-9a-f]{64}\.json$/),
      sha256: (await readObject(env.stores, 'datafiles/sdk_key/latest.json'))?.metadata.sha256,
      reason: 'webhook',
      summary: { line: 'no changes', total: 0, counts: {} },
    });
    expect(bus.events[0]?.detail).not.toHaveProperty('previousRevision');
  });

  it('publishes nothing when the pointer does not move: duplicate or older revision', async () => {
    await deliver(env, 7);

    const duplicate = await deliver(env, 7);
    const older = await deliver(env, 6);

    expect([duplicate.body.status, older.body.status]).toEqual(['unchanged', 'superseded']);
    expect(bus.events.map((e) => (e.detail as { revision: number }).revision)).toEqual([7]);
  });

  it('retries a failed publish and delivers the event once', async () => {
    const res = await deliver(env, 3, 'sdk_key', { events: flakyClient(2) });

    expect(res.body.status).toBe('updated');
    expect(bus.events).toHaveLength(1);
  });

  it('never fails the webhook or loses the datafile when publishing keeps failing; logs it', async () => {
    const res = await deliver(env, 3, 'sdk_key', { events: flakyClient(100) });

    expect(res).toMatchObject({ status: 200, body: { status: 'updated', revision: 3 } });
    expect((await readObject(env.stores, 'datafiles/sdk_key/latest.json'))?.metadata.revision).toBe('3');
    expect(bus.events).toHaveLength(0);
    expect(env.logs).toContainEqual(
      expect.objectContaining({ level: 'error', m: 'change event not published', key: 'sdk_key', attempts: 4 }),
    );
  });

  it('treats an entry PutEvents refused (FailedEntryCount > 0) as a failure and retries it', async () => {
    const client = busClient(bus);
    const send = client.send.bind(client);
    let refused = 1;
    client.send = (async (...args: Parameters<typeof send>) => {
      if (refused-- > 0) return { FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }], $metadata: {} };
      return send(...args);
    }) as typeof client.send;

    await deliver(env, 3, 'sdk_key', { events: client });

    expect(bus.events).toHaveLength(1);
  });

  it('publishes one eventId per pointer move under concurrent deliveries, forming an unbroken chain', async () => {
    const revisions = [3, 1, 5, 2, 4, 5, 3, 6, 1, 6];
    const app = webhookApp(env);
    origin.serve('/datafiles/sdk_key.json', (req, res) => {
      const rev = Number(new URL(req.url ?? '', 'http://x').searchParams.get('rev'));
      body(makeDatafile({ revision: rev }))(req, res);
    });

    const responses = await Promise.all(
      revisions.map((revision) => app(httpApiEvent(payload({ revision, origin: origin.url, query: `?rev=${revision}` })))),
    );

    const updated = responses.map((r) => JSON.parse(r.body) as { status: string }).filter((b) => b.status === 'updated');
    const events = bus.events.map((e) => e.detail as { eventId: string; revision: number; previousRevision?: number });
    // A move overtaken before it settled is announced by its mover and again by the move that
    // replaced it (lib/sync/owed.ts): the same event twice at most, never a move without one.
    const byId = new Map(events.map((e) => [e.eventId, e]));
    const moves = [...byId.values()];
    expect(responses.map((r) => `${r.statusCode} ${r.statusCode === 200 ? '' : r.body}`.trim())).toEqual(responses.map(() => '200'));
    expect(moves).toHaveLength(updated.length);
    expect(events).toEqual(events.map((e) => byId.get(e.eventId)));
    const chain = [...moves].sort((a, b) => a.revision - b.revision);
    expect(chain.map((m) => m.previousRevision)).toEqual(chain.map((_, i) => chain[i - 1]?.revision));
    expect(chain.at(-1)?.revision).toBe(6);
  });

  it('publishes nothing when no bus is configured', async () => {
    const quiet: OpsEnv = { ...env, bus: undefined };

    const res = await deliver(quiet, 2);

    expect(res.body.status).toBe('updated');
    expect(bus.events).toHaveLength(0);
  });
});
