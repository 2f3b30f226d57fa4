import { DynamoLedger } from '../../lib/aws/dynamo-ledger';
import { EventBridgePublisher } from '../../lib/aws/events';
import { S3Store } from '../../lib/aws/s3-store';
import { revisionObjectKey } from '../../lib/layout';
import { createLogger } from '../../lib/log';
import { reliableNotify } from '../../lib/sync/events';
import { pinRevision, unpinRevision } from '../../lib/sync/pin';
import type { StoredRevision } from '../../lib/sync/ports';
import type { LocalEventBridge } from '../../local/eventbridge';
import { cli, guardedApp } from '../support/change-safety';
import type { FlagSpec } from '../support/datafile-builders';
import { PROJECT_ID } from '../support/datafiles';
import { BUS, busClient, captureLogger, deliver, startOpsEnv } from '../support/ops';
import { corruptObject } from '../support/publish';
import { itemsFor, readObject } from '../support/stores';

let env: Awaited<ReturnType<typeof startOpsEnv>>;
let bus: LocalEventBridge;

beforeEach(async () => {
  env = await startOpsEnv();
  ({ bus } = env);
});
afterEach(() => env.close());

function deps() {
  const ledger = new DynamoLedger({ table: env.stores.table, client: env.stores.dynamo });
  const store = new S3Store({ bucket: env.stores.bucket, client: env.stores.s3 });
  const notify = reliableNotify(new EventBridgePublisher({ busName: BUS, client: busClient(bus) }), createLogger());
  return { ledger, store, notify, logger: captureLogger(env.logs) };
}

async function pointer() {
  const items = await itemsFor(env.stores, 'sdk_key');
  const p = items.find((i) => i.sk?.S === 'POINTER');
  return { revision: Number(p?.revision?.N), pinned: p?.pinned?.BOOL, sha256: p?.sha256?.S };
}

async function aliasRevision() {
  return (await readObject(env.stores, 'datafiles/sdk_key/latest.json'))?.metadata.revision;
}

function reasons() {
  return bus.events.map((e) => e.detail as { reason: string; revision: number; previousRevision?: number });
}

describe('pin', () => {
  it('rolls the pointer and latest.json back to an older stored revision and publishes one pin event', async () => {
    await deliver(env, 1);
    await deliver(env, 2);
    bus.events.length = 0;

    const result = await pinRevision('sdk_key', 1, deps());

    expect(result?.moved).toBe(true);
    expect(await pointer()).toMatchObject({ revision: 1, pinned: true });
    expect(await aliasRevision()).toBe('1');
    expect(reasons()).toEqual([expect.objectContaining({ reason: 'pin', revision: 1, previousRevision: 2 })]);
  });

  it('keeps the pointer while pinned: webhooks add history only and publish nothing', async () => {
    await deliver(env, 1);
    await pinRevision('sdk_key', 1, deps());
    bus.events.length = 0;

    const res = await deliver(env, 3);

    expect(res.body).toMatchObject({ status: 'pinned', revision: 3, current: 1 });
    expect((await itemsFor(env.stores, 'sdk_key')).map((i) => i.sk?.S)).toContain('REV#000000000003');
    expect(await pointer()).toMatchObject({ revision: 1, pinned: true });
    expect(await aliasRevision()).toBe('1');
    expect(bus.events).toHaveLength(0);
  });

  it('refuses a revision that is not stored, and changes nothing', async () => {
    await deliver(env, 1);

    const result = await pinRevision('sdk_key', 9, deps());

    expect(result).toBeUndefined();
    expect(await pointer()).toMatchObject({ revision: 1, pinned: false });
  });

  it('is idempotent: pinning the pinned revision again moves nothing and publishes nothing', async () => {
    await deliver(env, 1);
    await pinRevision('sdk_key', 1, deps());
    bus.events.length = 0;

    const again = await pinRevision('sdk_key', 1, deps());

    expect(again?.moved).toBe(false);
    expect(bus.events).toHaveLength(0);
  });
});

describe('unpin', () => {
  it('moves the pointer to the newest stored revision, clears the pin and publishes one unpin event', async () => {
    await deliver(env, 1);
    await pinRevision('sdk_key', 1, deps());
    await deliver(env, 4);
    await deliver(env, 3);
    bus.events.length = 0;

    const result = await unpinRevision('sdk_key', deps());

    expect(result?.moved).toBe(true);
    expect(await pointer()).toMatchObject({ revision: 4, pinned: false });
    expect(await aliasRevision()).toBe('4');
    expect(reasons()).toEqual([expect.objectContaining({ reason: 'unpin', revision: 4, previousRevision: 1 })]);
  });

  it('answers undefined for an unknown key', async () => {
    expect(await unpinRevision('nobody', deps())).toBeUndefined();
  });
});

describe('the summary a pin or unpin event carries', () => {
  const checkout = (traffic: number): FlagSpec => ({ key: 'checkout', rollout: [{ key: 'checkout_everyone', traffic }] });
  const banner: FlagSpec = { key: 'banner', rollout: [{ key: 'banner_everyone' }] };
  const promo: FlagSpec = { key: 'promo', rollout: [{ key: 'promo_everyone' }] };
  const summaries = () => bus.events.map((e) => e.detail as { reason: string; summary?: unknown });
  let publish: ReturnType<typeof guardedApp>;

  /** Revision 1 (checkout at 10%), then revision 2 (checkout at 30%, banner added) live. */
  beforeEach(async () => {
    publish = guardedApp(env);
    await publish({ revision: 1, flags: [checkout(10)] });
    await publish({ revision: 2, flags: [checkout(30), banner] });
    bus.events.length = 0;
  });

  it('a pin says what it changes from the live revision, and keeps it on the pointer for re-publication', async () => {
    await pinRevision('sdk_key', 1, deps());

    const summary = {
      line: '-1 flag, 1 rule changed, traffic -20pp (checkout)',
      total: 2,
      counts: { flag_removed: 1, traffic_changed: 1 },
    };
    expect(summaries()).toEqual([expect.objectContaining({ reason: 'pin', revision: 1, previousRevision: 2, summary })]);
    expect((await deps().ledger.getPointer('sdk_key'))?.moveSummary).toEqual(summary);
  });

  it('an unpin says what it changes from the pinned revision', async () => {
    await pinRevision('sdk_key', 1, deps());
    await publish({ revision: 3, flags: [checkout(30), banner, promo] });
    bus.events.length = 0;

    await unpinRevision('sdk_key', deps());

    expect(summaries()).toEqual([
      expect.objectContaining({
        reason: 'unpin',
        revision: 3,
        previousRevision: 1,
        summary: { line: '+2 flags, 1 rule changed, traffic +20pp (checkout)', total: 3, counts: { flag_added: 2, traffic_changed: 1 } },
      }),
    ]);
  });

  it('the CLI’s pin and unpin publish the summary too', async () => {
    const pinned = await cli(env, 'pin', 'sdk_key', '1');
    const unpinned = await cli(env, 'unpin', 'sdk_key');

    expect([pinned.code, unpinned.code]).toEqual([0, 0]);
    expect(summaries()).toEqual([
      expect.objectContaining({
        reason: 'pin',
        revision: 1,
        summary: expect.objectContaining({ line: '-1 flag, 1 rule changed, traffic -20pp (checkout)' }),
      }),
      expect.objectContaining({
        reason: 'unpin',
        revision: 2,
        summary: expect.objectContaining({ line: '+1 flag, 1 rule changed, traffic +20pp (checkout)' }),
      }),
    ]);
  });

  it('is judged from the pointer the pin replaced, when a webhook moved it while the pin read the live bytes', async () => {
    const d = deps();
    const two = await d.ledger.getRevision('sdk_key', 2);
    const read = d.store.readObject.bind(d.store);
    let raced = false;
    d.store.readObject = async (s3Key) => {
      if (s3Key === two?.s3Key && !raced) {
        raced = true;
        await publish({ revision: 3, flags: [checkout(30), banner, promo] });
      }
      return read(s3Key);
    };
    bus.events.length = 0;

    await pinRevision('sdk_key', 1, d);

    expect(raced).toBe(true);
    expect(summaries().at(-1)).toMatchObject({
      reason: 'pin',
      previousRevision: 3,
      summary: { line: '-2 flags, 1 rule changed, traffic -20pp (checkout)' },
    });
  });

  it('never stops a pin: live bytes that fail their sha256 leave the summary out, and say why in the log', async () => {
    await corruptObject(env.stores, 'sdk_key', 2);

    const result = await pinRevision('sdk_key', 1, deps());

    expect(result?.pointer).toMatchObject({ revision: 1, pinned: true });
    expect(bus.events).toHaveLength(1);
    expect(summaries()[0]).toMatchObject({ reason: 'pin', revision: 1 });
    expect(summaries()[0]).not.toHaveProperty('summary');
    expect(env.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        m: 'diff failed',
        key: 'sdk_key',
        base: 2,
        error: expect.objectContaining({ code: 'object_corrupt' }),
      }),
    );
  });
});

describe('pin and unpin racing webhooks', () => {
  // The ledger's own moves (the byte checks of pinRevision/unpinRevision are tested above).
  const record = (ledger: DynamoLedger, r: StoredRevision) => ledger.record(r, { reason: 'webhook' });
  const pin = async (ledger: DynamoLedger, key: string, revision: number) => {
    const stored = await ledger.getRevision(key, revision);
    if (!stored) throw new Error(`revision ${revision} not stored`);
    return ledger.pin(stored);
  };
  const unpin = (ledger: DynamoLedger, key: string) => ledger.unpin(key, async () => undefined);
  function rev(revision: number): StoredRevision {
    return {
      key: 'race',
      revision,
      s3Key: revisionObjectKey('race', revision, `sha-${revision}`),
      sha256: `sha-${revision}`,
      size: 10,
      projectId: PROJECT_ID,
      storedAt: new Date().toISOString(),
    };
  }

  it('always ends, after an unpin, with the pointer on the newest stored revision', async () => {
    const { ledger } = deps();
    for (let round = 0; round < 5; round++) {
      const base = round * 10 + 1;
      await record(ledger, rev(base));
      await pin(ledger, 'race', base);

      // Several deliveries of newer revisions land while the unpin runs.
      await Promise.all([unpin(ledger, 'race'), ...[1, 2, 3, 4].map((n) => record(ledger, rev(base + n)))]);

      const p = await ledger.getPointer('race');
      expect({ revision: p?.revision, pinned: p?.pinned }).toEqual({ revision: base + 4, pinned: false });
    }
  });

  it('moves the pointer forward when an unpin commits between a webhook reading the pin and storing its history', async () => {
    const { ledger } = deps();
    await record(ledger, rev(1));
    await pin(ledger, 'race', 1);
    // Interleave deterministically: the webhook has read the pointer (pinned); before its history
    // put reaches DynamoDB, the operator's unpin runs to completion and cannot see revision 2 yet.
    const client = env.stores.dynamo;
    const wrapped = Object.create(client) as typeof client;
    let interleaved = false;
    wrapped.send = (async (command: { constructor: { name: string } }) => {
      if (command.constructor.name === 'PutItemCommand' && !interleaved) {
        interleaved = true;
        await unpin(ledger, 'race');
      }
      return client.send(command as never);
    }) as typeof client.send;
    const webhookLedger = new DynamoLedger({ table: env.stores.table, client: wrapped });

    const result = await record(webhookLedger, rev(2));

    expect(interleaved).toBe(true);
    expect(result.moved).toBe(true);
    expect(await ledger.getPointer('race')).toMatchObject({ revision: 2, pinned: false });
  });

  it('never lets a racing webhook move a pointer that a pin holds', async () => {
    const { ledger } = deps();
    await record(ledger, rev(1));
    await record(ledger, rev(2));

    await Promise.all([pin(ledger, 'race', 1), ...[3, 4, 5].map((n) => record(ledger, rev(n)))]);

    const p = await ledger.getPointer('race');
    const history = await ledger.history('race');
    expect(p?.pinned).toBe(true);
    expect(p?.revision).toBe(1);
    expect(history.map((h) => h.revision)).toEqual([1, 2, 3, 4, 5]);
  });
});
