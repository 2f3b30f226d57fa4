import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { WebhookAppOverrides } from './app';
import { clientConfig, dynamoClient, s3Client } from './aws/clients';
import { DynamoLedger } from './aws/dynamo-ledger';
import { EventBridgePublisher } from './aws/events';
import { S3Mirror } from './aws/s3-mirror';
import { S3Store } from './aws/s3-store';
import type { RollbackConfig } from './config';
import { DatafileSyncError } from './errors';
import { createLogger } from './log';
import { reliableNotify } from './sync/events';
import { type AlarmStateChangeEvent, type RollbackSummary, rollbackOnAlarm } from './sync/rollback';

export interface RollbackAppOverrides
  extends Pick<WebhookAppOverrides, 's3' | 'dynamo' | 'events' | 'publisher' | 'notifyOptions' | 'logger'> {
  /** The ledger's clock: when the rollback's move is recorded (tests). */
  clock?: () => Date;
}

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
  const logger = overrides.logger ?? createLogger({ service: 'datafile-sync-rollback' }, config.logLevel ?? 'info');
  const publisher =
    overrides.publisher ??
    (config.eventBusName
      ? new EventBridgePublisher({ busName: config.eventBusName, client: overrides.events ?? new EventBridgeClient(clientConfig()) })
      : undefined);
  const s3 = overrides.s3 ?? s3Client();
  const deps = {
    ledger: new DynamoLedger({ table: config.table, client: overrides.dynamo ?? dynamoClient(), now: overrides.clock }),
    store: new S3Store({ bucket: config.bucket, client: s3 }),
    // The SDK mirror follows the rolled-back pointer; a key recorded as secure loses any copy.
    mirror: config.mirror ? new S3Mirror({ bucket: config.bucket, client: s3, maxAgeSeconds: config.mirror.maxAgeSeconds }) : undefined,
    notify: reliableNotify(publisher, logger, overrides.notifyOptions),
    logger,
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
