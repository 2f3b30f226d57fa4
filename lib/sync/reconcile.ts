import { DatafileSyncError, describeError } from '../errors';
import type { Logger } from '../log';
import type { ReconcileObservation } from '../metrics';
import type { Pointer, PointerCatalog, ReconcileState } from './ports';
import type { SyncOutcome, SyncStatus } from './sync-datafile';

export interface ReconcileDeps {
  /** The keys, and (optionally) the cursor that rotates where each run starts. */
  catalog: PointerCatalog & Partial<Pick<ReconcileState, 'readCursor' | 'writeCursor'>>;
  /** Stop starting keys after this long (`RECONCILE_BUDGET_MS`); the rest go first next run. */
  budgetMs?: number;
  /** Re-sync one known key through the core path (probe mode). */
  syncOne(pointer: Pointer): Promise<SyncOutcome>;
  logger: Logger;
  concurrency?: number;
  /** Told once per run: the summary and each pointer's age (metrics). */
  observe?: (o: ReconcileObservation) => void;
}

export interface ReconcileSummary {
  keys: number;
  counts: Record<SyncStatus | 'failed', number>;
  /** Keys left for the next run because the time budget ran out. */
  deferred: number;
  /** The keys that failed, with the error code (first 20). */
  failures: { key: string; error: string }[];
  durationMs: number;
}

/**
 * Re-sync every key the ledger knows, so a lost webhook is repaired within one period. Keys run a
 * few at a time; an error for one key is counted and reported, never stops the others. Nothing is
 * written for a key whose current revision is already stored.
 *
 * Why a cursor: listing is one small index item per key, in key order. Each run starts after the
 * key the previous run started last, and stops starting keys when its time budget runs out, so slow
 * keys cannot starve the ones after them: whatever a run did not reach goes first in the next.
 * Ends with one structured log line.
 */
export async function reconcile(deps: ReconcileDeps): Promise<ReconcileSummary> {
  const started = Date.now();
  const counts: ReconcileSummary['counts'] = { updated: 0, unchanged: 0, superseded: 0, pinned: 0, held: 0, failed: 0 };
  const failures: ReconcileSummary['failures'] = [];
  const pointerAges: ReconcileObservation['pointerAges'] = [];
  const age = (p: Pointer) =>
    pointerAges.push({ key: p.key, ageSeconds: Math.max(0, Math.round((Date.now() - Date.parse(p.updatedAt)) / 1000)) });
  const all: Pointer[] = [];
  for await (const p of deps.catalog.listPointers()) all.push(p);
  all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const cursor = await deps.catalog.readCursor?.();
  const from = cursor === undefined ? 0 : all.findIndex((p) => p.key > cursor);
  const queue = from <= 0 ? all : [...all.slice(from), ...all.slice(0, from)];
  const budgetMs = deps.budgetMs ?? Number.POSITIVE_INFINITY;
  let next = 0;
  let lastStarted: string | undefined;
  const worker = async () => {
    // At least one key per run, however small the budget: a run always makes progress.
    while (next < queue.length && (next === 0 || Date.now() - started < budgetMs)) {
      const pointer = queue[next++] as Pointer;
      lastStarted = pointer.key;
      try {
        const synced = await deps.syncOne(pointer);
        counts[synced.status]++;
        age(synced.pointer ?? pointer);
      } catch (error) {
        age(pointer);
        counts.failed++;
        if (failures.length < 20)
          failures.push({ key: pointer.key, error: error instanceof DatafileSyncError ? error.code : 'internal_error' });
        if (!(error instanceof DatafileSyncError))
          deps.logger.error('reconcile key failed', { key: pointer.key, error: describeError(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, deps.concurrency ?? 4) }, worker));
  if (lastStarted !== undefined && deps.catalog.writeCursor) {
    await deps.catalog
      .writeCursor(lastStarted)
      .catch((error) => deps.logger.warn('reconcile cursor not saved', { error: describeError(error) }));
  }
  const keys = Math.min(next, queue.length);
  const summary = { keys, counts, deferred: queue.length - keys, failures, durationMs: Date.now() - started };
  (counts.failed > 0 ? deps.logger.warn : deps.logger.info)('reconcile', { ...summary });
  deps.observe?.({ keys, failed: counts.failed, counts, pointerAges });
  return summary;
}
