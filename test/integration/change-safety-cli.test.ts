import { DynamoLedger } from '../../lib/aws/dynamo-ledger';
import { EVENT_DETAIL_TYPE } from '../../lib/aws/events';
import { cli, type Env, guardedApp } from '../support/change-safety';
import type { FlagSpec } from '../support/datafile-builders';
import { startOpsEnv } from '../support/ops';
import { corruptObject } from '../support/publish';
import { readObject } from '../support/stores';

let env: Env;
let ledger: DynamoLedger;

const checkout = (traffic = 10): FlagSpec => ({ key: 'checkout', rollout: [{ key: 'checkout_everyone', traffic }] });
const banner: FlagSpec = { key: 'banner', rollout: [{ key: 'banner_everyone' }] };

/** Revision 1 live; revision 2 (banner removed) held by forbidFlagRemoval. */
beforeEach(async () => {
  env = await startOpsEnv();
  ledger = new DynamoLedger({ table: env.stores.table, client: env.stores.dynamo });
  const deliver = guardedApp(env, { forbidFlagRemoval: true });
  await deliver({ revision: 1, flags: [checkout(), banner] });
  await deliver({ revision: 2, flags: [checkout(30)] });
});
afterEach(() => env.close());

const moves = () => env.bus.events.filter((e) => e.detailType === EVENT_DETAIL_TYPE).map((e) => e.detail as Record<string, unknown>);

describe('datafile-sync held', () => {
  it('lists held revisions with the live revision and their violations, and how to review one', async () => {
    const res = await cli(env, 'held');

    expect(res.code).toBe(0);
    const lines = res.out.split('\n');
    expect(lines[0]).toMatch(/^KEY\s+REVISION\s+STORED\s+LIVE\s+STATE\s+VIOLATIONS$/);
    expect(lines[1]).toMatch(/^sdk_key\s+2\s+\S+Z\s+1\s+waiting\s+forbidFlagRemoval: Flags removed: banner\.$/);
    expect(lines[2]).toBe('Review with: datafile-sync diff sdk_key 1 2');
  });

  it('answers --json for one key, and says so when nothing is held', async () => {
    const json = await cli(env, 'held', 'sdk_key', '--json');
    await cli(env, 'approve', 'sdk_key', '2');
    const none = await cli(env, 'held', 'sdk_key');

    expect(JSON.parse(json.out)).toEqual([
      expect.objectContaining({
        key: 'sdk_key',
        revision: 2,
        held: true,
        live: 1,
        state: 'waiting',
        violations: [expect.objectContaining({ rule: 'forbidFlagRemoval' })],
      }),
    ]);
    expect(none.out).toBe('No held revisions of sdk_key.');
  });
});

describe('datafile-sync diff', () => {
  it('prints the summary and one line per change, from the revision before by default', async () => {
    const byDefault = await cli(env, 'diff', 'sdk_key', '2');
    const explicit = await cli(env, 'diff', 'sdk_key', '1', '2');

    expect(byDefault).toEqual(explicit);
    expect(byDefault.code).toBe(0);
    expect(byDefault.out.split('\n')).toEqual([
      'sdk_key: revision 1 → 2: -1 flag, 1 rule changed, traffic +20pp (checkout)',
      '  - flag banner',
      '  ~ flag checkout › rule checkout_everyone traffic 10% → 30% (+20pp)',
    ]);
  });

  it('prints the full diff with --json, and exits 6 when an object is not its recorded bytes', async () => {
    const json = await cli(env, 'diff', 'sdk_key', '2', '--json');
    await corruptObject(env.stores, 'sdk_key', 1);
    const corrupt = await cli(env, 'diff', 'sdk_key', '2');

    expect(JSON.parse(json.out)).toMatchObject({
      key: 'sdk_key',
      from: 1,
      to: 2,
      initial: false,
      changes: [{ kind: 'flag_removed', key: 'banner' }, { kind: 'traffic_changed' }],
    });
    expect(corrupt).toMatchObject({ code: 6, err: expect.stringContaining('has sha256') });
  });
});

describe('datafile-sync history', () => {
  it('shows one line of changes per revision and HELD, then APPROVED', async () => {
    const before = await cli(env, 'history', 'sdk_key');
    await cli(env, 'approve', 'sdk_key', '2');
    const after = await cli(env, 'history', 'sdk_key');

    expect(before.out.split('\n')[0]).toMatch(/^ REVISION\s+STORED\s+BYTES\s+SHA256\s+STATE\s+CHANGES$/);
    expect(before.out.split('\n')[1]).toMatch(/^\*1\s.*[0-9a-f]{64}\s+initial revision: \+2 flags$/);
    expect(before.out.split('\n')[2]).toMatch(/^ 2\s.*[0-9a-f]{64}\s+HELD\s+-1 flag, 1 rule changed, traffic \+20pp \(checkout\)$/);
    expect(after.out.split('\n')[2]).toMatch(/^\*2\s.*\s+APPROVED\s+-1 flag/);
  });
});

describe('datafile-sync approve', () => {
  it('moves the pointer and latest.json to the held revision, marks it approved and publishes one move', async () => {
    const res = await cli(env, 'approve', 'sdk_key', '2');

    expect(res).toMatchObject({ code: 0, out: 'Approved sdk_key revision 2: now live (was 1), past forbidFlagRemoval.' });
    expect((await ledger.getPointer('sdk_key'))?.revision).toBe(2);
    expect((await readObject(env.stores, 'datafiles/sdk_key/latest.json'))?.metadata.revision).toBe('2');
    expect((await ledger.getRevision('sdk_key', 2))?.approvedAt).toEqual(expect.any(String));
    expect(moves().at(-1)).toMatchObject({
      reason: 'approve',
      revision: 2,
      previousRevision: 1,
      summary: { line: expect.stringContaining('-1 flag') },
    });
    expect(moves()).toHaveLength(2);
  });

  it('refuses a corrupt object (exit 6) and leaves the pointer where it was', async () => {
    await corruptObject(env.stores, 'sdk_key', 2);

    const res = await cli(env, 'approve', 'sdk_key', '2');

    expect(res).toMatchObject({ code: 6, err: expect.stringContaining('refusing to point at it') });
    expect((await ledger.getPointer('sdk_key'))?.revision).toBe(1);
    expect(moves()).toHaveLength(1);
  });

  it('still approves when the live object is corrupt, warning and publishing the move without a summary', async () => {
    await corruptObject(env.stores, 'sdk_key', 1);

    const res = await cli(env, 'approve', 'sdk_key', '2');

    expect(res).toMatchObject({ code: 0, err: expect.stringContaining('warning: diff failed') });
    expect(res.err).toContain('object_corrupt');
    expect((await ledger.getPointer('sdk_key'))?.revision).toBe(2);
    expect(moves().at(-1)).toMatchObject({ reason: 'approve', revision: 2 });
    expect(moves().at(-1)).not.toHaveProperty('summary');
  });

  it('refuses while pinned (exit 6, naming unpin) and a revision not ahead of the pointer (naming pin)', async () => {
    const older = await cli(env, 'approve', 'sdk_key', '1');
    await cli(env, 'pin', 'sdk_key', '1');
    const pinned = await cli(env, 'approve', 'sdk_key', '2');

    expect(older).toMatchObject({ code: 6, err: expect.stringContaining('use datafile-sync pin sdk_key 1') });
    expect(pinned).toMatchObject({ code: 6, err: expect.stringContaining('datafile-sync unpin sdk_key') });
    expect((await ledger.getPointer('sdk_key'))?.revision).toBe(1);
  });

  it('exits 3 for a revision that is not stored', async () => {
    expect(await cli(env, 'approve', 'sdk_key', '9')).toMatchObject({ code: 3 });
  });
});

describe('unpin', () => {
  it('releases the pin to the newest revision guardrails did not hold', async () => {
    await cli(env, 'pin', 'sdk_key', '1');

    const res = await cli(env, 'unpin', 'sdk_key');

    expect(res.out).toBe('Unpinned sdk_key: stays at revision 1.');
    expect((await ledger.getPointer('sdk_key'))?.pinned).toBe(false);
  });
});
