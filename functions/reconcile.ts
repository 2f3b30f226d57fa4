import { createReconcileApp } from '../lib/app';
import { loadReconcileConfig } from '../lib/config';
import { reconcileObserver } from '../lib/metrics';
import type { ReconcileSummary } from '../lib/sync/reconcile';

// Built once per container. Unlike the webhook, a configuration error here simply fails the
// invocation: a scheduled run has no caller to answer, and the failure shows in the function's
// error metric and log. Metrics are dimensioned by the function's name (set by Lambda).
const config = loadReconcileConfig();
const run = createReconcileApp(config, {
  observe: reconcileObserver({ service: process.env.AWS_LAMBDA_FUNCTION_NAME || 'datafile-sync-reconcile', logLevel: config.logLevel }),
});

/**
 * Scheduled (EventBridge rate rule): re-sync every known key; logs one summary line and emits the
 * run's metrics. Throws when every key failed, so the Lambda Errors metric counts the run.
 */
export const handler = async (): Promise<ReconcileSummary> => run();
