import { createReconcileApp } from '../lib/app';
import { loadReconcileConfig } from '../lib/config';
import type { ReconcileSummary } from '../lib/sync/reconcile';

// Built once per container. Unlike the webhook, a configuration error here simply fails the
// invocation: a scheduled run has no caller to answer, and the failure shows in the function's
// error metric and log.
const run = createReconcileApp(loadReconcileConfig());

/** Scheduled (EventBridge rate rule): re-sync every key the table knows; logs one summary line. */
export const handler = async (): Promise<ReconcileSummary> => run();
