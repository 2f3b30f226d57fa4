import { loadRollbackConfig } from '../lib/config';
import { createRollbackApp } from '../lib/rollback-app';
import type { AlarmStateChangeEvent, RollbackSummary } from '../lib/sync/rollback';

// Built once per container. A configuration error fails the invocation (an asynchronous one, from
// EventBridge: nobody to answer), which the function's Errors alarm reports.
const run = createRollbackApp(loadRollbackConfig());

/**
 * EventBridge rule on the default bus: a configured CloudWatch alarm entered ALARM. Pins every key
 * that moved within the bake time at its previous revision (docs/rollback.md). Throws when any key
 * could not be rolled back, so Lambda counts an error and retries the (idempotent) run.
 */
export const handler = async (event: AlarmStateChangeEvent): Promise<RollbackSummary> => run(event);
