import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { clientConfig, dynamoClient, s3Client } from './aws/clients';
import { DynamoLedger } from './aws/dynamo-ledger';
import { EventBridgePublisher } from './aws/events';
import { S3Mirror } from './aws/s3-mirror';
import { S3Store } from './aws/s3-store';
import { ssmProjects } from './aws/ssm-projects';
import { sdkAccepts } from './changes/sdk-check';
import type { ReconcileConfig, WebhookConfig } from './config';
import { type ProjectsSource, staticProjects } from './config';
import { fetchDatafile, type Sleep } from './datafile/fetch';
import { DatafileSyncError } from './errors';
import { createLogger, type Logger } from './log';
import type { ReconcileObservation, WebhookObservation } from './metrics';
import type { DatafileMirror } from './mirror/publish';
import type { ChangeCheck } from './sync/changes';
import { DatafileCache } from './sync/datafile-cache';
import { type Notify, type NotifyOptions, reliableNotify } from './sync/events';
import type { ChangePublisher } from './sync/ports';
import { type ReconcileSummary, reconcile } from './sync/reconcile';
import { syncDatafile } from './sync/sync-datafile';
import { syncKey } from './sync/sync-key';
import { handleWebhook } from './webhook/handle';
import type { HttpResponse } from './webhook/http';
import type { WebhookEvent } from './webhook/request';

export interface WebhookAppOverrides {
  s3?: S3Client;
  dynamo?: DynamoDBClient;
  ssm?: SSMClient;
  /** EventBridge client for change events (used when the config names a bus). */
  events?: EventBridgeClient;
  /** Replace the change publisher entirely (fault injection in tests). */
  publisher?: ChangePublisher;
  notifyOptions?: NotifyOptions;
  logger?: Logger;
  sleep?: Sleep;
  /**
   * How long a move may stay unsettled before a redelivery or reconcile finishes it instead of its
   * own mover (default 30 s; tests set 0 to play a redelivery that comes later).
   */
  settleGraceMs?: number;
  /** Clock for the SSM re-read rate limit (tests). */
  now?: () => number;
  /** SDK mirror kept equal to the pointer for keys without an access token (local stack, tests). */
  mirror?: DatafileMirror;
}

interface Core {
  /** The change check of a project: its guardrails, the SDK check, this container's datafile cache. */
  changes(projectId: string): Promise<ChangeCheck>;
  ledger: DynamoLedger;
  store: S3Store;
  projects: ProjectsSource;
  notify: Notify;
  logger: Logger;
  mirror?: DatafileMirror;
}

function buildCore(config: WebhookConfig, overrides: WebhookAppOverrides, service: string): Core {
  const logger = overrides.logger ?? createLogger({ service }, config.logLevel ?? 'info');
  const publisher =
    overrides.publisher ??
    (config.eventBusName
      ? new EventBridgePublisher({ busName: config.eventBusName, client: overrides.events ?? new EventBridgeClient(clientConfig()) })
      : undefined);
  const projects: ProjectsSource =
    config.projects.kind === 'ssm'
      ? ssmProjects(config.projects.parameter, overrides.ssm ?? new SSMClient(clientConfig()), {
          ttlMs: config.projects.ttlMs,
          logger,
          now: overrides.now,
        })
      : staticProjects(config.projects.config);
  const cache = new DatafileCache();
  const s3 = overrides.s3 ?? s3Client();
  return {
    ledger: new DynamoLedger({ table: config.table, client: overrides.dynamo ?? dynamoClient() }),
    store: new S3Store({ bucket: config.bucket, client: s3 }),
    mirror:
      overrides.mirror ??
      (config.mirror ? new S3Mirror({ bucket: config.bucket, client: s3, maxAgeSeconds: config.mirror.maxAgeSeconds }) : undefined),
    projects,
    notify: reliableNotify(publisher, logger, overrides.notifyOptions),
    logger,
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
