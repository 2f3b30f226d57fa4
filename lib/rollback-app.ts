import type { RollbackConfig } from './config';
import { DatafileSyncError } from './errors';
import { buildStores, type StoresOverrides } from './stores';
import { type AlarmStateChangeEvent, type RollbackSummary, rollbackOnAlarm } from './sync/rollback';

/** Injected clients and fault points (tests); the mirror comes from config only. */
export type RollbackAppOverrides = Omit<StoresOverrides, 'mirror'>;

/**
 * Wire config + adapters into the alarm rollback (lib/sync/rollback.ts). Built once per container.
 * Throws after the run when any blamed key could not be rolled back: the Lambda Errors metric (and
 * its alarm) counts it, and the asynchronous invocation is retried — which only retries the failed
 * keys, since the ones already rolled back are pinned and no longer blamed.
 */
export function createRollbackApp(
  config: RollbackConfig,
  overrides: RollbackAppOverrides = {},
): (event: AlarmStateChangeEvent) => Promise<RollbackSummary> {
  const deps = {
    ...buildStores(config, overrides, 'datafile-sync-rollback'),
    policy: { alarmNames: config.alarmNames, bakeMs: config.bakeSeconds * 1000 },
  };
  return async (event) => {
    const summary = await rollbackOnAlarm(event, deps);
    if (summary.failed > 0) {
      const first = summary.keys.find((k) => k.outcome === 'failed');
      throw new DatafileSyncError(
        'rollback_failed',
        `Alarm ${summary.alarmName}: ${summary.failed} of ${summary.keys.length} keys not rolled back; first: ${first?.key} (${first && 'error' in first ? first.error : ''}).`,
      );
    }
    return summary;
  };
}
