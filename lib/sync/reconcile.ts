import { DatafileSyncError, describeError } from '../errors';
import type { Logger } from '../log';
import type { ReconcileObservation } from '../metrics';
import type { Pointer, PointerCatalog } from './ports';
import type { SyncOutcome, SyncStatus } from './sync-datafile';

export interface ReconcileDeps {
  catalog: PointerCatalog;
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
  /** The keys that failed, with the error code (first 20). */
  failures: { key: string; error: string }[];
  durationMs: number;
}

/**
 * Re-sync every key the ledger knows, so a lost webhook is repaired within one period. Keys run a
 * few at a time; an error for one key is counted and reported, never stops the others. Nothing is
 * written for a key whose current revision is already stored. Ends with one structured log line.
 */
export async function reconcile(deps: ReconcileDeps): Promise<ReconcileSummary> {
  const started = Date.now();
  const counts: ReconcileSummary['counts'] = { updated: 0, unchanged: 0, superseded: 0, pinned: 0, held: 0, failed: 0 };
  const failures: ReconcileSummary['failures'] = [];
  let keys = 0;
  const pointerAges: ReconcileObservation['pointerAges'] = [];
  const age = (p: Pointer) =>
    pointerAges.push({ key: p.key, ageSeconds: Math.max(0, Math.round((Date.now() - Date.parse(p.updatedAt)) / 1000)) });
  const pointers = deps.catalog.listPointers()[Symbol.asyncIterator]();
  const worker = async () => {
    for (let next = await pointers.next(); !next.done; next = await pointers.next()) {
      const pointer = next.value;
      keys++;
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
  const summary = { keys, counts, failures, durationMs: Date.now() - started };
  (counts.failed > 0 ? deps.logger.warn : deps.logger.info)('reconcile', { ...summary });
  deps.observe?.({ keys, failed: counts.failed, counts, pointerAges });
  return summary;
}
