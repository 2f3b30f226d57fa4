import { DynamoLedger } from '../../lib/aws/dynamo-ledger';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE, HELD_DETAIL_TYPE } from '../../lib/aws/events';
import { diffDatafiles } from '../../lib/changes/diff';
import { type Env, guardedApp, guardedReconcile, serve } from '../support/change-safety';
import { buildDatafile, type DatafileSpec, type FlagSpec } from '../support/datafile-builders';
import { startOpsEnv } from '../support/ops';
import { corruptObject, recordCommands } from '../support/publish';
import { readObject } from '../support/stores';

// The real diff, which a test can make throw: what a bug in it must not let through.
jest.mock('../../lib/changes/diff', () => {
  const actual = jest.requireActual<typeof import('../../lib/changes/diff')>('../../lib/changes/diff');
  return { ...actual, diffDatafiles: jest.fn(actual.diffDatafiles) };
});

let env: Env;
let ledger: DynamoLedger;

beforeEach(async () => {
  env = await startOpsEnv();
  ledger = new DynamoLedger({ table: env.stores.table, client: env.stores.dynamo });
});
afterEach(() => env.close());

const checkout = (traffic = 10): FlagSpec => ({ key: 'checkout', rollout: [{ key: 'checkout_everyone', traffic }] });
const banner: FlagSpec = { key: 'banner', rollout: [{ key: 'banner_everyone' }] };
const rev = (revision: number, flags: FlagSpec[] = [checkout(), banner], extra?: Record<string, unknown>) =>
  ({ revision, flags, ...(extra ? { extra } : {}) }) satisfies DatafileSpec & { revision: number };
const heldEvents = () => env.bus.events.filter((e) => e.detailType === HELD_DETAIL_TYPE);

describe('the stored diff', () => {
  it.each<[NonNullable<DatafileSpec['version']>, DatafileSpec, DatafileSpec, string]>([
    ['2', { experiments: [{ key: 'exp_a' }] }, { experiments: [{ key: 'exp_a' }, { key: 'exp_b' }] }, 'experiment_added'],
    ['3', { experiments: [{ key: 'exp_a', traffic: 10 }] }, { experiments: [{ key: 'exp_a', traffic: 30 }] }, 'traffic_changed'],
    ['4', { flags: [banner] }, { flags: [banner, checkout()] }, 'flag_added'],
  ])('is stored with every v%s history item, against the revision before it', async (version, first, second, kind) => {
    const deliver = guardedApp(env);

    await deliver({ version, revision: 1, ...first });
    await deliver({ version, revision: 2, ...second });

    const [one, two] = [await ledger.getRevision('sdk_key', 1), await ledger.getRevision('sdk_key', 2)];
    expect(one?.summary).toMatchObject({ initial: true });
    expect(two?.summary).toMatchObject({ initial: false, revisions: { previous: '1', next: '2' }, total: 1, counts: { [kind]: 1 } });
    expect(two?.held).toBeUndefined();
  });

  it('keeps a warm in-order new revision at five AWS requests (diff base from the container cache)', async () => {
    const deliver = guardedApp(env, { forbidFlagRemoval: true });
    await deliver(rev(4));
    const sent = recordCommands(env.stores.s3, recordCommands(env.stores.dynamo));

    const answer = await deliver(rev(5, [checkout(20), banner]));

    expect(answer.body).toMatchObject({ status: 'updated', revision: 5 });
    expect(sent).toEqual([
      'BatchGetItemCommand',
      'PutObjectCommand',
      'TransactWriteItemsCommand',
      'CopyObjectCommand',
      'UpdateItemCommand',
    ]);
  });

  it('reads the previous revision from S3 when this container has not seen it (one GetObject more)', async () => {
    await guardedApp(env)(rev(4));
    const sent = recordCommands(env.stores.s3, recordCommands(env.stores.dynamo));

    await guardedApp(env)(rev(5, [checkout(20), banner]));

    expect(sent).toEqual([
      'BatchGetItemCommand',
      'PutObjectCommand',
      'GetObjectCommand',
      'TransactWriteItemsCommand',
      'CopyObjectCommand',
      'UpdateItemCommand',
    ]);
    expect((await ledger.getRevision('sdk_key', 5))?.summary?.counts).toEqual({ traffic_changed: 1 });
  });
});

describe('guardrails', () => {
  it.each([
    ['requiredFlags', { requiredFlags: ['checkout'] }, rev(2, [banner]), /Required flags missing: checkout/],
    ['maxBytes', { maxBytes: 2_500 }, rev(2, undefined, { padding: 'x'.repeat(3_000) }), /bytes, more than the 2500 allowed/],
    ['forbidFlagRemoval', { forbidFlagRemoval: true }, rev(2, [checkout()]), /Flags removed: banner/],
    ['maxTrafficIncreasePoints', { maxTrafficIncreasePoints: 20 }, rev(2, [checkout(50), banner]), /rises by 40 points/],
    // Passes our validator (version, project, revision) but the SDK cannot build a client from it.
    ['sdkRejected', undefined, rev(2, undefined, { experiments: 5 }), /The Optimizely SDK rejects the datafile/],
  ] as const)('%s holds a revision: stored, pointer unmoved, held answer and event', async (rule, guardrails, risky, message) => {
    const deliver = guardedApp(env, guardrails);
    await deliver(rev(1));

    const answer = await deliver(risky);

    expect(answer).toMatchObject({ status: 200 });
    expect(answer.body).toEqual({
      status: 'held',
      key: 'sdk_key',
      revision: 2,
      current: 1,
      violations: [{ rule, message: expect.stringMatching(message) }],
    });
    expect((await ledger.getPointer('sdk_key'))?.revision).toBe(1);
    expect((await readObject(env.stores, 'datafiles/sdk_key/latest.json'))?.metadata.revision).toBe('1');
    const stored = await ledger.getRevision('sdk_key', 2);
    expect(stored).toMatchObject({ held: true, violations: [{ rule }], summary: expect.any(Object) });
    expect(stored?.holdUnsettled).toBeUndefined(); // the event is out: the pending mark is cleared
    expect(heldEvents()).toHaveLength(1);
    expect(heldEvents()[0]).toMatchObject({
      source: EVENT_SOURCE,
      detail: { eventId: stored?.holdEventId, key: 'sdk_key', revision: 2, violations: [{ rule }], s3Key: stored?.s3Key },
    });
    expect(env.bus.events.filter((e) => e.detailType === EVENT_DETAIL_TYPE)).toHaveLength(1);
  });

  it('answers held again to a duplicate delivery, without fetching or announcing twice', async () => {
    const deliver = guardedApp(env, { forbidFlagRemoval: true });
    await deliver(rev(1));
    await deliver(rev(2, [checkout()]));
    const fetches = env.origin.requests.length;

    const again = await deliver(rev(2, [checkout()]));

    expect(again.body).toMatchObject({ status: 'held', revision: 2, current: 1, violations: [{ rule: 'forbidFlagRemoval' }] });
    expect(env.origin.requests.length).toBe(fetches);
    expect(heldEvents()).toHaveLength(1);
  });

  it('judges against the live revision: a clean-looking revision after a held one stays held; a clean one moves', async () => {
    const deliver = guardedApp(env, { forbidFlagRemoval: true });
    await deliver(rev(1));
    await deliver(rev(2, [checkout()]));

    const sneaky = await deliver(rev(3, [checkout(15)]));
    const clean = await deliver(rev(4, [checkout(15), banner]));

    expect(sneaky.body).toMatchObject({ status: 'held', current: 1, violations: [{ rule: 'forbidFlagRemoval' }] });
    // Its stored diff is from the held revision 2 (the one below it), not from the live one.
    expect((await ledger.getRevision('sdk_key', 3))?.summary?.counts).toEqual({ traffic_changed: 1 });
    expect(clean.body).toMatchObject({ status: 'updated', revision: 4, current: 4, previous: 1 });
    const moved = env.bus.events.filter((e) => e.detailType === EVENT_DETAIL_TYPE).at(-1)?.detail;
    expect(moved).toMatchObject({ revision: 4, previousRevision: 1, summary: { line: '1 rule changed, traffic +5pp (checkout)' } });
  });

  it('holds the very first revision of a key when it breaks a guardrail (no pointer yet)', async () => {
    const answer = await guardedApp(env, { requiredFlags: ['checkout'] })(rev(1, [banner]));

    expect(answer.body).toEqual({
      status: 'held',
      key: 'sdk_key',
      revision: 1,
      violations: [expect.objectContaining({ rule: 'requiredFlags' })],
    });
    expect(await ledger.getPointer('sdk_key')).toBeUndefined();
  });

  it('are respected by reconcile, which runs the same sync', async () => {
    await guardedApp(env)(rev(1));
    const reconcile = guardedReconcile(env, { forbidFlagRemoval: true });
    serve(env, rev(2, [checkout()])); // no webhook: reconcile finds revision 2 on its own

    const summary = await reconcile();

    expect(summary.counts).toMatchObject({ held: 1, updated: 0 });
    expect((await ledger.getPointer('sdk_key'))?.revision).toBe(1);
    expect(heldEvents()).toHaveLength(1);
  });
});

describe('guardrails that need the diff', () => {
  const guardrails = { forbidFlagRemoval: true };
  const diffFailures = () => env.logs.filter((l) => l.m === 'diff failed');

  it('hold a flag removal in a datafile with a field nested 10,000 levels deep (JSON.parse and the SDK accept it)', async () => {
    const deliver = guardedApp(env, guardrails);
    await deliver(rev(1));
    const removal = rev(2, [checkout()]);
    const depth = 10_000;
    // Written by hand: JSON.stringify itself recurses and cannot produce this text.
    const deep = JSON.stringify(buildDatafile(removal)).replace(/}$/, `,"deep":${'['.repeat(depth)}${']'.repeat(depth)}}`);

    const answer = await deliver(removal, 'sdk_key', deep);

    expect(answer.body).toEqual({
      status: 'held',
      key: 'sdk_key',
      revision: 2,
      current: 1,
      violations: [{ rule: 'forbidFlagRemoval', message: 'Flags removed: banner.' }],
    });
    expect((await ledger.getPointer('sdk_key'))?.revision).toBe(1);
    expect((await ledger.getRevision('sdk_key', 2))?.summary?.counts).toEqual({ flag_removed: 1, other: 1 });
    expect(diffFailures()).toEqual([]);
  });

  it('hold a revision when the diff throws, naming the guardrails it leaves unchecked', async () => {
    const deliver = guardedApp(env, { ...guardrails, maxTrafficIncreasePoints: 20 });
    await deliver(rev(1));
    jest.mocked(diffDatafiles).mockImplementationOnce(() => {
      throw new RangeError('Maximum call stack size exceeded');
    });

    const answer = await deliver(rev(2, [checkout(15), banner]));

    const message =
      'The changes from the previous revision could not be computed (RangeError: Maximum call stack size exceeded), ' +
      'so forbidFlagRemoval and maxTrafficIncreasePoints cannot be checked.';
    expect(answer.body).toEqual({ status: 'held', key: 'sdk_key', revision: 2, current: 1, violations: [{ rule: 'diffFailed', message }] });
    expect((await ledger.getPointer('sdk_key'))?.revision).toBe(1);
    expect(await ledger.getRevision('sdk_key', 2)).toMatchObject({ held: true, violations: [{ rule: 'diffFailed', message }] });
    expect(heldEvents()[0]?.detail).toMatchObject({ revision: 2, violations: [{ rule: 'diffFailed' }] });
    expect(diffFailures()).toEqual([expect.objectContaining({ base: 1, error: expect.objectContaining({ name: 'RangeError' }) })]);
  });

  it('let a revision through when the diff throws but no guardrail needs it (only its summary is lost)', async () => {
    const deliver = guardedApp(env, { requiredFlags: ['checkout'] });
    await deliver(rev(1));
    jest.mocked(diffDatafiles).mockImplementationOnce(() => {
      throw new RangeError('Maximum call stack size exceeded');
    });

    const answer = await deliver(rev(2, [checkout(15), banner]));

    expect(answer.body).toMatchObject({ status: 'updated', revision: 2, current: 2 });
    expect((await ledger.getRevision('sdk_key', 2))?.summary).toBeUndefined();
  });

  it('are skipped, not failed, when the live revision cannot be read (an S3 fault must not stop every release)', async () => {
    await guardedApp(env, guardrails)(rev(1));
    await corruptObject(env.stores, 'sdk_key', 1);

    // A new container: the live revision is not in its memory, so its object is read and fails its sha256.
    const answer = await guardedApp(env, guardrails)(rev(2, [checkout()]));

    expect(answer.body).toMatchObject({ status: 'updated', revision: 2, current: 2 });
    expect(diffFailures()).toEqual([
      expect.objectContaining({
        level: 'warn',
        base: 1,
        error: expect.objectContaining({ message: expect.stringContaining('recorded bytes') }),
      }),
    ]);
  });
});
