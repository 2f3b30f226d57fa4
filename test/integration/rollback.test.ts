import { createHash } from 'node:crypto';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoLedger } from '../../lib/aws/dynamo-ledger';
import { EventBridgePublisher, ROLLBACK_DETAIL_TYPE } from '../../lib/aws/events';
import { S3Store } from '../../lib/aws/s3-store';
import { DatafileSyncError } from '../../lib/errors';
import { POINTER_SK, revisionObjectKey } from '../../lib/layout';
import { createRollbackApp } from '../../lib/rollback-app';
import { reliableNotify } from '../../lib/sync/events';
import { unpinRevision } from '../../lib/sync/pin';
import type { StoredRevision } from '../../lib/sync/ports';
import type { AlarmStateChangeEvent } from '../../lib/sync/rollback';
import { settlePointer } from '../../lib/sync/settle';
import { makeDatafile, PROJECT_ID } from '../support/datafiles';
import { BUS, busClient, captureLogger, cli, startOpsEnv } from '../support/ops';
import { readObject } from '../support/stores';

let env: Awaited<ReturnType<typeof startOpsEnv>>;

beforeEach(async () => {
  env = await startOpsEnv();
});
afterEach(() => env.close());

const ALARM = 'checkout-5xx';
const ALARM_AT = new Date('2030-01-01T12:00:00.000Z');
const minutesBefore = (m: number) => new Date(ALARM_AT.getTime() - m * 60_000);

function ledger(now = () => new Date()) {
  return new DynamoLedger({ table: env.stores.table, client: env.stores.dynamo, now });
}
function deps(now?: () => Date) {
  const store = new S3Store({ bucket: env.stores.bucket, client: env.stores.s3 });
  const notify = reliableNotify(new EventBridgePublisher({ busName: BUS, client: busClient(env.bus) }), captureLogger(env.logs));
  return { ledger: ledger(now), store, notify };
}

/** Store `revision` of `key` (with these flags) and move its pointer there as a webhook would, at the time `at`. */
async function move(key: string, revision: number, at: Date, flags?: Record<string, boolean>): Promise<StoredRevision> {
  const bytes = Buffer.from(makeDatafile({ revision, sdkKey: key, flags }));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const rev = { key, revision, sha256, size: bytes.length, projectId: PROJECT_ID, storedAt: at.toISOString() };
  const stored: StoredRevision = { ...rev, s3Key: revisionObjectKey(key, revision, sha256) };
  const d = deps(() => at);
  await d.store.putRevision(stored, bytes);
  const result = await d.ledger.record(stored, { reason: 'webhook' });
  if (result.moved) await settlePointer(key, result.pointer, d);
  return stored;
}

/** The event CloudWatch sends through EventBridge when an alarm changes state. */
function alarmEvent(alarmName: string, value = 'ALARM', at = ALARM_AT): AlarmStateChangeEvent {
  return {
    source: 'aws.cloudwatch',
    'detail-type': 'CloudWatch Alarm State Change',
    time: at.toISOString(),
    detail: {
      alarmName,
      state: { value, reason: 'Threshold Crossed', timestamp: at.toISOString().replace('Z', '+0000') },
      previousState: { value: value === 'ALARM' ? 'OK' : 'ALARM', timestamp: minutesBefore(30).toISOString().replace('Z', '+0000') },
    },
  };
}

function rollbackApp() {
  return createRollbackApp(
    { table: env.stores.table, bucket: env.stores.bucket, eventBusName: BUS, alarmNames: [ALARM, 'other-alarm'], bakeSeconds: 600 },
    {
      s3: env.stores.s3,
      dynamo: env.stores.dynamo,
      events: busClient(env.bus),
      logger: captureLogger(env.logs),
      notifyOptions: { sleep: async () => undefined },
      clock: () => new Date(ALARM_AT.getTime() + 5_000),
    },
  );
}

const pointerOf = (key: string) => ledger().getPointer(key);
const aliasRevision = async (key: string) => (await readObject(env.stores, `datafiles/${key}/latest.json`))?.metadata.revision;
const rolledBackEvents = () => env.bus.events.filter((e) => e.detailType === ROLLBACK_DETAIL_TYPE);

describe('rollbackOnAlarm', () => {
  it('pins a key that moved 2 minutes before the alarm at its previous revision, logs why and announces it', async () => {
    await move('sdk_key', 4, minutesBefore(60));
    await move('sdk_key', 5, minutesBefore(2));
    env.bus.events.length = 0;

    const summary = await rollbackApp()(alarmEvent(ALARM));

    expect(summary.keys).toEqual([{ key: 'sdk_key', outcome: 'rolled_back', from: 5, to: 4 }]);
    expect(await pointerOf('sdk_key')).toMatchObject({
      revision: 4,
      pinned: true,
      pinReason: `rollback: ${ALARM}`,
      moveReason: 'rollback',
      previousRevision: 5,
      unsettled: false,
    });
    expect(await aliasRevision('sdk_key')).toBe('4');
    expect(await ledger().rollbacks('sdk_key')).toEqual([
      expect.objectContaining({ fromRevision: 5, toRevision: 4, alarmName: ALARM, reason: `rollback: ${ALARM}` }),
    ]);
    expect(env.bus.events).toHaveLength(1);
    expect(rolledBackEvents()).toEqual([
      expect.objectContaining({
        busName: BUS,
        source: 'optimizely-datafile-sync',
        detail: expect.objectContaining({ key: 'sdk_key', revision: 4, previousRevision: 5, reason: 'rollback', alarmName: ALARM }),
      }),
    ]);
  });

  it('says in its event what the rollback changes, as every move does', async () => {
    await move('sdk_key', 4, minutesBefore(60), { flag_1: true });
    await move('sdk_key', 5, minutesBefore(2), { flag_1: true, flag_2: true, flag_3: false });

    await rollbackApp()(alarmEvent(ALARM));

    const summary = { line: '-2 flags', total: 2, counts: { flag_removed: 2 } };
    expect(rolledBackEvents().map((e) => e.detail)).toEqual([expect.objectContaining({ reason: 'rollback', revision: 4, summary })]);
    expect((await pointerOf('sdk_key'))?.moveSummary).toEqual(summary);
  });

  it('still rolls back when the live object is corrupt: the event goes out without a summary, the log says why', async () => {
    await move('sdk_key', 4, minutesBefore(60));
    const live = await move('sdk_key', 5, minutesBefore(2));
    await env.stores.s3.send(new PutObjectCommand({ Bucket: env.stores.bucket, Key: live.s3Key, Body: '{"tampered":true}' }));

    const summary = await rollbackApp()(alarmEvent(ALARM));

    expect(summary.keys).toEqual([{ key: 'sdk_key', outcome: 'rolled_back', from: 5, to: 4 }]);
    expect(await pointerOf('sdk_key')).toMatchObject({ revision: 4, pinned: true, unsettled: false });
    expect(rolledBackEvents()).toHaveLength(1);
    expect(rolledBackEvents()[0]?.detail).not.toHaveProperty('summary');
    expect(env.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        m: 'diff failed',
        key: 'sdk_key',
        base: 5,
        error: expect.objectContaining({ code: 'object_corrupt' }),
      }),
    );
  });

  it('leaves a key alone whose last move is older than the bake time', async () => {
    await move('sdk_key', 4, minutesBefore(60));
    await move('sdk_key', 5, minutesBefore(20));
    env.bus.events.length = 0;

    const summary = await rollbackApp()(alarmEvent(ALARM));

    expect(summary).toMatchObject({ acted: true, keys: [], failed: 0 });
    expect(await pointerOf('sdk_key')).toMatchObject({ revision: 5, pinned: false });
    expect(env.bus.events).toHaveLength(0);
  });

  it.each([
    ['an alarm that is not configured', alarmEvent('someone-elses-alarm'), 'alarm not configured for rollback'],
    ['a return to OK', alarmEvent(ALARM, 'OK'), 'state is OK, not ALARM'],
    ['an event from another source', { ...alarmEvent(ALARM), source: 'aws.health' }, 'not a CloudWatch alarm state change'],
  ])('does nothing on %s', async (_, event, why) => {
    await move('sdk_key', 4, minutesBefore(60));
    await move('sdk_key', 5, minutesBefore(2));
    env.bus.events.length = 0;

    const summary = await rollbackApp()(event);

    expect(summary).toMatchObject({ acted: false, why, keys: [] });
    expect(await pointerOf('sdk_key')).toMatchObject({ revision: 5, pinned: false });
    expect(env.bus.events).toHaveLength(0);
    expect(env.logs).toContainEqual(expect.objectContaining({ m: 'rollback: no action', why }));
  });

  it('rolls back once when the same alarm event is delivered again', async () => {
    await move('sdk_key', 4, minutesBefore(60));
    await move('sdk_key', 5, minutesBefore(2));
    const app = rollbackApp();
    await app(alarmEvent(ALARM));
    const after = await pointerOf('sdk_key');

    const again = await app(alarmEvent(ALARM));

    expect(again).toMatchObject({ acted: true, keys: [], failed: 0 });
    expect(await pointerOf('sdk_key')).toEqual(after);
    expect(await ledger().rollbacks('sdk_key')).toHaveLength(1);
    expect(rolledBackEvents()).toHaveLength(1);
  });

  it('rolls back once when two deliveries of the alarm run at the same time', async () => {
    await move('sdk_key', 4, minutesBefore(60));
    await move('sdk_key', 5, minutesBefore(2));

    const both = await Promise.all([rollbackApp()(alarmEvent(ALARM)), rollbackApp()(alarmEvent(ALARM))]);

    expect(both.map((s) => s.failed)).toEqual([0, 0]);
    expect(await pointerOf('sdk_key')).toMatchObject({ revision: 4, pinned: true, unsettled: false });
    expect(await ledger().rollbacks('sdk_key')).toHaveLength(1);
    // At least once, like every change event: a delivery that finds the move still unsettled may
    // publish it too, under the same eventId consumers de-duplicate on.
    expect(new Set(rolledBackEvents().map((e) => (e.detail as { eventId: string }).eventId)).size).toBe(1);
  });

  it('never overrides an operator’s pin, even one made within the bake time', async () => {
    await move('sdk_key', 4, minutesBefore(60));
    const five = await move('sdk_key', 5, minutesBefore(30));
    const d = deps(() => minutesBefore(2));
    await settlePointer('sdk_key', (await d.ledger.pin(five)).pointer, d);
    env.bus.events.length = 0;

    const summary = await rollbackApp()(alarmEvent(ALARM));

    expect(summary.keys).toEqual([]);
    expect(await pointerOf('sdk_key')).toMatchObject({ revision: 5, pinned: true, pinReason: 'pin' });
    expect(env.bus.events).toHaveLength(0);
  });

  it('refuses a key whose previous revision is corrupt, still rolls back the others, then throws', async () => {
    const bad = await move('bad_key', 1, minutesBefore(60));
    await move('bad_key', 2, minutesBefore(3));
    await move('sdk_key', 4, minutesBefore(60));
    await move('sdk_key', 5, minutesBefore(1));
    await env.stores.s3.send(new PutObjectCommand({ Bucket: env.stores.bucket, Key: bad.s3Key, Body: '{"tampered":true}' }));

    const failure = await rollbackApp()(alarmEvent(ALARM)).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(DatafileSyncError);
    expect(failure).toMatchObject({ code: 'rollback_failed' });
    expect(String((failure as Error).message)).toContain('1 of 2 keys');
    expect(await pointerOf('bad_key')).toMatchObject({ revision: 2, pinned: false });
    expect(await aliasRevision('bad_key')).toBe('2');
    expect(await pointerOf('sdk_key')).toMatchObject({ revision: 4, pinned: true });
    expect(rolledBackEvents().map((e) => (e.detail as { key: string }).key)).toEqual(['sdk_key']);
    expect(env.logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        m: 'rollback refused',
        key: 'bad_key',
        error: expect.objectContaining({ code: 'object_corrupt' }),
      }),
    );
  });

  it('falls back to the newest stored revision below the pointer when its previous revision is not stored', async () => {
    await move('sdk_key', 3, minutesBefore(90));
    await move('sdk_key', 4, minutesBefore(60));
    await move('sdk_key', 6, minutesBefore(2));
    await env.stores.dynamo.send(
      new UpdateItemCommand({
        TableName: env.stores.table,
        Key: { pk: { S: 'sdk_key' }, sk: { S: POINTER_SK } },
        UpdateExpression: 'SET previousRevision = :gone',
        ExpressionAttributeValues: { ':gone': { N: '5' } },
      }),
    );

    const summary = await rollbackApp()(alarmEvent(ALARM));

    expect(summary.keys).toEqual([{ key: 'sdk_key', outcome: 'rolled_back', from: 6, to: 4 }]);
    expect(await aliasRevision('sdk_key')).toBe('4');
  });

  it('shows the rollback in `history` and `status`', async () => {
    await move('sdk_key', 4, minutesBefore(60));
    await move('sdk_key', 5, minutesBefore(2));
    await rollbackApp()(alarmEvent(ALARM));

    const history = await cli(env, 'history', 'sdk_key');
    const status = await cli(env, 'status', 'sdk_key');
    const json = JSON.parse((await cli(env, 'status', 'sdk_key', '--json')).out) as Array<Record<string, unknown>>;

    expect(history.out.split('\n').slice(-2)).toEqual([
      `Rolled back 5 → 4 at 2030-01-01T12:00:05.000Z (rollback: ${ALARM}).`,
      `Pinned at revision 4 (rollback: ${ALARM}).`,
    ]);
    expect(history.out).toMatch(/^\*4\s/m);
    expect(status.out.split('\n')[1]).toMatch(new RegExp(`\\s4\\s.*yes \\(rollback: ${ALARM}\\)$`));
    expect(json[0]).toMatchObject({ revision: 4, pinned: true, pinReason: `rollback: ${ALARM}` });
  });

  it('lets unpin resume normal flow: the pointer goes to the newest revision and webhooks move it again', async () => {
    await move('sdk_key', 4, minutesBefore(60));
    await move('sdk_key', 5, minutesBefore(2));
    await rollbackApp()(alarmEvent(ALARM));
    await move('sdk_key', 6, new Date(ALARM_AT.getTime() + 60_000));
    expect(await pointerOf('sdk_key')).toMatchObject({ revision: 4, pinned: true });

    const released = await unpinRevision('sdk_key', deps());
    await move('sdk_key', 7, new Date(ALARM_AT.getTime() + 120_000));

    expect(released).toMatchObject({ moved: true, pointer: { revision: 6, pinned: false } });
    expect(await pointerOf('sdk_key')).toMatchObject({ revision: 7, pinned: false, moveReason: 'webhook' });
    expect(await aliasRevision('sdk_key')).toBe('7');
  });
});
