import { hasAccessToken, type RollbackConfig } from './config';
import { DatafileSyncError, describeError } from './errors';
import { buildProjects, buildStores, type StoresOverrides } from './stores';
import { type AlarmStateChangeEvent, type RollbackSummary, rollbackOnAlarm } from './sync/rollback';

/** Injected clients and fault points (tests); the mirror comes from config only. */
export type RollbackAppOverrides = Omit<StoresOverrides, 'mirror'>;

/**
 * Wire config + adapters into the alarm rollback (lib/sync/rollback.ts). Built once per container.
 * Throws after the run when any blamed key could not be rolled back: the Lambda Errors metric (and
 * its alarm) counts it, and the asynchronous invocation is retried — which only retries the failed
 * keys, since the ones already rolled back are pinned and no longer blamed.
 *
 * Each run reads the projects configuration (cached) to tell the SDK mirror which keys are secure:
 * a rollback pins a revision that may have been stored before its key got an access token, and its
 * recorded flag would then publish it. When the configuration cannot be read the rollback still
 * runs (it is what stops a bad datafile), and the mirror goes by what history recorded instead.
 */
export function createRollbackApp(
  config: RollbackConfig,
  overrides: RollbackAppOverrides = {},
): (event: AlarmStateChangeEvent) => Promise<RollbackSummary> {
  const stores = buildStores(config, overrides, 'datafile-sync-rollback');
  const deps = { ...stores, policy: { alarmNames: config.alarmNames, bakeMs: config.bakeSeconds * 1000 } };
  const projects = config.projects && buildProjects(config.projects, overrides, stores.logger);
  const secureKeys = async () => {
    if (!projects || !stores.mirror) return {};
    try {
      const current = await projects.current();
      return { secure: (key: string) => hasAccessToken(current, key) };
    } catch (error) {
      stores.logger.error('rollback: projects config unreadable; the mirror goes by recorded flags', { error: describeError(error) });
      return {};
    }
  };
  return async (event) => {
    const summary = await rollbackOnAlarm(event, { ...deps, ...(await secureKeys()) });
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
