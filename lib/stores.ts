import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { awsClient, dynamoClient, s3Client } from './aws/clients';
import { DynamoLedger } from './aws/dynamo-ledger';
import { EventBridgePublisher } from './aws/events';
import { S3Mirror } from './aws/s3-mirror';
import { S3Store } from './aws/s3-store';
import { ssmProjects } from './aws/ssm-projects';
import { type ProjectsSetting, type ProjectsSource, staticProjects, type WebhookConfig } from './config';
import { createLogger, type Logger } from './log';
import type { DatafileMirror } from './mirror/publish';
import { type Notify, type NotifyOptions, reliableNotify } from './sync/events';
import type { ChangePublisher } from './sync/ports';

/** What every function that moves pointers needs: the two stores, the mirror, change events, a logger. */
export interface Stores {
  ledger: DynamoLedger;
  store: S3Store;
  mirror?: DatafileMirror;
  notify: Notify;
  logger: Logger;
}

/** The config part and the overrides `buildStores` reads (the webhook's, reconcile's and rollback's). */
export type StoresConfig = Pick<WebhookConfig, 'table' | 'bucket' | 'eventBusName' | 'logLevel' | 'mirror'>;
export interface StoresOverrides {
  s3?: S3Client;
  dynamo?: DynamoDBClient;
  /** EventBridge client for change events (used when the config names a bus). */
  events?: EventBridgeClient;
  /** Replace the change publisher entirely (fault injection in tests). */
  publisher?: ChangePublisher;
  notifyOptions?: NotifyOptions;
  logger?: Logger;
  /** SDK mirror kept equal to the pointer for keys without an access token (local stack, tests). */
  mirror?: DatafileMirror;
  /** The ledger's clock: when moves are recorded (tests). */
  clock?: () => Date;
  /** SSM client for the projects configuration (`buildProjects`). */
  ssm?: SSMClient;
}

/** Build the stores once per container, from config, with injected clients where tests give them. */
export function buildStores(config: StoresConfig, overrides: StoresOverrides, service: string): Stores {
  const logger = overrides.logger ?? createLogger({ service }, config.logLevel ?? 'info');
  const publisher =
    overrides.publisher ??
    (config.eventBusName ? new EventBridgePublisher({ busName: config.eventBusName, client: overrides.events }) : undefined);
  const s3 = overrides.s3 ?? s3Client();
  return {
    ledger: new DynamoLedger({ table: config.table, client: overrides.dynamo ?? dynamoClient(), now: overrides.clock, logger }),
    store: new S3Store({ bucket: config.bucket, client: s3 }),
    // The SDK mirror follows the pointer; a key recorded as secure loses any copy.
    mirror:
      overrides.mirror ??
      (config.mirror ? new S3Mirror({ bucket: config.bucket, client: s3, maxAgeSeconds: config.mirror.maxAgeSeconds }) : undefined),
    notify: reliableNotify(publisher, logger, overrides.notifyOptions),
    logger,
  };
}

/**
 * The projects configuration (secrets, access tokens, guardrails): the SSM parameter behind its TTL
 * cache (lib/config/projects-source.ts), or a static document. Built once per container.
 */
export function buildProjects(
  setting: ProjectsSetting,
  overrides: Pick<StoresOverrides, 'ssm'> & { now?: () => number },
  logger: Logger,
): ProjectsSource {
  if (setting.kind === 'static') return staticProjects(setting.config);
  const client = overrides.ssm ?? awsClient(SSMClient);
  return ssmProjects(setting.parameter, client, { ttlMs: setting.ttlMs, logger, now: overrides.now });
}
