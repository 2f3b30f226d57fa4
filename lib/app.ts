import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { defaultDynamoClient, defaultS3Client } from './aws/clients';
import { DynamoLedger } from './aws/dynamo-ledger';
import { EventBridgePublisher } from './aws/events';
import { S3Store } from './aws/s3-store';
import { ssmProjects } from './aws/ssm-projects';
import type { ReconcileConfig, WebhookConfig } from './config';
import { fetchDatafile, type Sleep } from './datafile/fetch';
import { createLogger, type Logger } from './log';
import type { DatafileMirror } from './mirror/publish';
import { type Notify, type NotifyOptions, reliableNotify } from './sync/events';
import type { ChangePublisher } from './sync/ports';
import { type ReconcileSummary, reconcile } from './sync/reconcile';
import { syncDatafile } from './sync/sync-datafile';
import { syncKey } from './sync/sync-key';
import { handleWebhook } from './webhook/handle';
import type { HttpResponse } from './webhook/http';
import { type ProjectsSource, staticProjects } from './webhook/projects';
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
  /** Clock for the SSM re-read rate limit (tests). */
  now?: () => number;
  /** SDK mirror kept equal to the pointer for keys without an access token (local stack, tests). */
  mirror?: DatafileMirror;
}

interface Core {
  ledger: DynamoLedger;
  store: S3Store;
  projects: ProjectsSource;
  notify: Notify;
  logger: Logger;
}

function buildCore(config: WebhookConfig, overrides: WebhookAppOverrides, service: string): Core {
  const logger = overrides.logger ?? createLogger({ service });
  const publisher =
    overrides.publisher ??
    (config.eventBusName ? new EventBridgePublisher({ busName: config.eventBusName, client: overrides.events }) : undefined);
  return {
    ledger: new DynamoLedger({ table: config.table, client: overrides.dynamo ?? defaultDynamoClient() }),
    store: new S3Store({ bucket: config.bucket, client: overrides.s3 ?? defaultS3Client() }),
    projects:
      config.projects.kind === 'ssm'
        ? ssmProjects(config.projects.parameter, { client: overrides.ssm, now: overrides.now })
        : staticProjects(config.projects.config),
    notify: reliableNotify(publisher, logger, overrides.notifyOptions),
    logger,
  };
}

/** Wire config + adapters into a webhook handler. Built once per container; tests inject clients. */
export function createWebhookApp(
  config: WebhookConfig,
  overrides: WebhookAppOverrides = {},
): (event: WebhookEvent) => Promise<HttpResponse> {
  const { ledger, store, projects, notify, logger } = buildCore(config, overrides, 'datafile-sync-webhook');
  return (event) =>
    handleWebhook(event, {
      projects,
      urlPolicy: config.fetch,
      logger,
      sync: (update, token) =>
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
            mirror: overrides.mirror,
            secure: () => token !== undefined,
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
export function createReconcileApp(config: ReconcileConfig, overrides: WebhookAppOverrides = {}): () => Promise<ReconcileSummary> {
  const { ledger, store, projects, notify, logger } = buildCore(config, overrides, 'datafile-sync-reconcile');
  const token = async (projectId: string, key: string) => {
    const all = await projects.current();
    return (all.get(projectId) ?? all.get('*'))?.accessTokens[key];
  };
  return () =>
    reconcile({
      catalog: ledger,
      logger,
      concurrency: config.concurrency,
      syncOne: (p) =>
        syncKey(
          { key: p.key, projectId: p.projectId, environment: p.environment, reason: 'reconcile' },
          { ledger, store, notify, bases: config.bases, policy: config.fetch, token, sleep: overrides.sleep },
        ),
    });
}
