import { POINTERS_INDEX } from '../../lib/layout';
import { deliver, reconcileApp, serveRevision, startOpsEnv } from '../support/ops';

let env: Awaited<ReturnType<typeof startOpsEnv>>;

beforeEach(async () => {
  env = await startOpsEnv();
});
afterEach(() => env.close());

/** Every Scan the client sends, with what it read. */
function scans(): { index?: string; scanned: number }[] {
  const seen: { index?: string; scanned: number }[] = [];
  const stack = env.stores.dynamo.middlewareStack as unknown as {
    add(mw: (next: (a: { input: { IndexName?: string } }) => Promise<{ output: { ScannedCount?: number } }>) => unknown, o: object): void;
  };
  stack.add(
    (next) => async (args: { input: { IndexName?: string } }) => {
      const out = await next(args);
      if (out.output && 'ScannedCount' in out.output) seen.push({ index: args.input.IndexName, scanned: out.output.ScannedCount ?? 0 });
      return out;
    },
    { step: 'initialize', name: `scans-${Math.random()}` },
  );
  return seen;
}

describe('reconcile runs', () => {
  it('lists keys in O(keys): one item read per key from the pointers index, whatever the history', async () => {
    for (let revision = 1; revision <= 8; revision++) await deliver(env, revision, 'long_history');
    await deliver(env, 1, 'short_history');
    const seen = scans();

    await reconcileApp(env)();

    expect(seen).toEqual([{ index: POINTERS_INDEX, scanned: 2 }]);
  });

  it('starves no key: a run that runs out of time leaves the rest to go first in the next', async () => {
    const keys = ['key_a', 'key_b', 'key_c', 'key_d'];
    for (const key of keys) await deliver(env, 1, key);
    for (const key of keys) serveRevision(env.origin, 2, key);
    // No time budget and one worker: every run starts exactly one key, then stops.
    const run = reconcileApp(env, {}, { concurrency: 1, budgetMs: 0 });

    const summaries = [];
    for (let i = 0; i < keys.length; i++) summaries.push(await run());

    expect(summaries.map((s) => [s.keys, s.deferred, s.counts.updated])).toEqual(keys.map(() => [1, 3, 1]));
    const moved = env.bus.events.map((e) => e.detail as { key: string; reason: string }).filter((d) => d.reason === 'reconcile');
    expect(moved.map((d) => d.key).sort()).toEqual(keys);
  });
});
