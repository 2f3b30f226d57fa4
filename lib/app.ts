import { SSMClient } from '@aws-sdk/client-ssm';
import { awsClient } from './aws/clients';
import { ssmProjects } from './aws/ssm-projects';
import { sdkAccepts } from './changes/sdk-check';
import type { ReconcileConfig, WebhookConfig } from './config';
import { type ProjectsSource, staticProjects } from './config';
import { fetchDatafile, type Sleep } from './datafile/fetch';
import { DatafileSyncError } from './errors';
import type { ReconcileObservation, WebhookObservation } from './metrics';
import { buildStores, type Stores, type StoresOverrides } from './stores';
import type { ChangeCheck } from './sync/changes';
import { DatafileCache } from './sync/datafile-cache';
import { type ReconcileSummary, reconcile } from './sync/reconcile';
import { syncDatafile } from './sync/sync-datafile';
import { syncKey } from './sync/sync-key';
import { handleWebhook } from './webhook/handle';
import type { HttpResponse } from './webhook/http';
import type { WebhookEvent } from './webhook/request';

export interface WebhookAppOverrides extends Omit<StoresOverrides, 'clock'> {
  ssm?: SSMClient;
  sleep?: Sleep;
  /**
   * How long a move may stay unsettled before a redelivery or reconcile finishes it instead of its
   * own mover (default 30 s; tests set 0 to play a redelivery that comes later).
   */
  settleGraceMs?: number;
  /** Clock for the SSM re-read rate limit (tests). */
  now?: () => number;
}

interface Core extends Stores {
  /** The change check of a project: its guardrails, the SDK check, this container's datafile cache. */
  changes(projectId: string): Promise<ChangeCheck>;
  projects: ProjectsSource;
}

function buildCore(config: WebhookConfig, overrides: WebhookAppOverrides, service: string): Core {
  const stores = buildStores(config, overrides, service);
  const { logger } = stores;
  const projects: ProjectsSource =
    config.projects.kind === 'ssm'
      ? ssmProjects(config.projects.parameter, overrides.ssm ?? awsClient(SSMClient), {
          ttlMs: config.projects.ttlMs,
          logger,
          now: overrides.now,
        })
      : staticProjects(config.projects.config);
  const cache = new DatafileCache();
  return {
    ...stores,
    projects,
    changes: async (projectId) => {
      const all = await projects.current();
      return { guardrails: (all.get(projectId) ?? all.get('*'))?.guardrails ?? {}, sdk: sdkAccepts, cache };
    },
  };
}

/** Wire config + adapters into a webhook handler. Built once per container; tests inject clients. */
export function createWebhookApp(
  config: WebhookConfig,
  overrides: WebhookAppOverrides & { observe?: (o: WebhookObservation) => void } = {},
): (event: WebhookEvent) => Promise<HttpResponse> {
  const { ledger, store, projects, notify, logger, mirror, changes } = buildCore(config, overrides, 'datafile-sync-webhook');
  return (event) =>
    handleWebhook(event, {
      projects,
      deadlineMs: config.deadlineMs,
      urlPolicy: config.fetch,
      logger,
      observe: overrides.observe,
      sync: async (update, token) =>
        syncDatafile(
          {
            key: update.key,
            projectId: update.projectId,
            environment: update.environment,
            revision: update.revision,
            webhookTimestamp: update.timestamp,
            reason: 'webhook',
          },
          {
            ledger,
            store,
            notify,
            logger,
            settleGraceMs: overrides.settleGraceMs,
            mirror,
            secure: () => token !== undefined,
            changes: await changes(update.projectId),
            fetch: (req) =>
              fetchDatafile(
                { urls: [update.originUrl, update.cdnUrl], projectId: req.projectId, minRevision: req.revision ?? 1, token },
                config.fetch,
                overrides.sleep,
              ),
          },
        ),
    });
}

/** Wire config + adapters into the scheduled reconcile: re-sync every known key. */
export function createReconcileApp(
  config: ReconcileConfig,
  overrides: WebhookAppOverrides & { observe?: (o: ReconcileObservation) => void } = {},
): () => Promise<ReconcileSummary> {
  const { ledger, store, projects, notify, logger, mirror, changes } = buildCore(config, overrides, 'datafile-sync-reconcile');
  const token = async (projectId: string, key: string) => {
    const all = await projects.current();
    return (all.get(projectId) ?? all.get('*'))?.accessTokens.get(key);
  };
  return async () => {
    const summary = await reconcile({
      catalog: ledger,
      logger,
      observe: overrides.observe,
      concurrency: config.concurrency,
      budgetMs: config.budgetMs,
      syncOne: async (p) =>
        syncKey(
          { key: p.key, projectId: p.projectId, environment: p.environment, reason: 'reconcile', pointer: p },
          {
            ledger,
            store,
            notify,
            logger,
            bases: config.bases,
            policy: config.fetch,
            token,
            sleep: overrides.sleep,
            settleGraceMs: overrides.settleGraceMs,
            mirror,
            changes: await changes(p.projectId),
          },
        ),
    });
    // A run where every key failed (unreadable configuration, access denied, Optimizely down) is a
    // failed run: throwing (after the summary and metrics are out) makes the Lambda Errors metric count it.
    if (summary.keys > 0 && summary.counts.failed === summary.keys) {
      throw new DatafileSyncError('reconcile_failed', `Every key failed (${summary.keys}); first: ${summary.failures[0]?.error}.`);
    }
    return summary;
  };
}
