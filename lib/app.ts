import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { defaultDynamoClient, defaultS3Client } from './aws/clients';
import { DynamoLedger } from './aws/dynamo-ledger';
import { S3Store } from './aws/s3-store';
import { ssmProjects } from './aws/ssm-projects';
import type { WebhookConfig } from './config';
import { fetchDatafile, type Sleep } from './datafile/fetch';
import type { HttpResponse } from './errors';
import { createLogger, type Logger } from './log';
import { syncDatafile } from './sync/sync-datafile';
import { handleWebhook } from './webhook/handle';
import { type ProjectsSource, staticProjects } from './webhook/projects';
import type { WebhookEvent } from './webhook/request';

export interface WebhookAppOverrides {
  s3?: S3Client;
  dynamo?: DynamoDBClient;
  ssm?: SSMClient;
  logger?: Logger;
  sleep?: Sleep;
  /** Clock for the SSM re-read rate limit (tests). */
  now?: () => number;
}

/** Wire config + adapters into a webhook handler. Built once per container; tests inject clients. */
export function createWebhookApp(
  config: WebhookConfig,
  overrides: WebhookAppOverrides = {},
): (event: WebhookEvent) => Promise<HttpResponse> {
  const ledger = new DynamoLedger({ table: config.table, client: overrides.dynamo ?? defaultDynamoClient() });
  const store = new S3Store({ bucket: config.bucket, client: overrides.s3 ?? defaultS3Client() });
  const projects: ProjectsSource =
    config.projects.kind === 'ssm'
      ? ssmProjects(config.projects.parameter, { client: overrides.ssm, now: overrides.now })
      : staticProjects(config.projects.config);
  const logger = overrides.logger ?? createLogger({ service: 'datafile-sync-webhook' });
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
          },
          {
            ledger,
            store,
            fetch: (req) =>
              fetchDatafile(
                { urls: [update.originUrl, update.cdnUrl], projectId: req.projectId, minRevision: req.revision, token },
                config.fetch,
                overrides.sleep,
              ),
          },
        ),
    });
}
