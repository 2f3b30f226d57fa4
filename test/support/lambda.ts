import type { LocalOrigin } from '../../local/origin';
import { PROJECT_ID } from './datafiles';
import type { TestStores } from './stores';
import { SECRET } from './webhooks';

export type WebhookHandler = (event: unknown) => Promise<{ statusCode: number; body: string; headers?: Record<string, string> }>;

const saved = { ...process.env };

/** Load functions/webhook.ts fresh, as a new Lambda container would, with the given environment. */
export function coldStartWebhook(env: Record<string, string | undefined>): WebhookHandler {
  process.env = { ...saved, ...env };
  let handler: WebhookHandler | undefined;
  jest.isolateModules(() => {
    handler = (require('../../functions/webhook') as { handler: WebhookHandler }).handler;
  });
  return handler as WebhookHandler;
}

/** Put back the environment the test file started with (an afterEach). */
export function restoreEnvironment(): void {
  process.env = saved;
}

/** A deployed webhook's environment pointed at the test stores and the local origin. */
export function webhookEnvironment(stores: TestStores, origin: LocalOrigin): Record<string, string> {
  return {
    DATAFILE_TABLE: stores.table,
    DATAFILE_BUCKET: stores.bucket,
    SYNC_PROJECTS: JSON.stringify({ projects: { [PROJECT_ID]: { secrets: [SECRET] } } }),
    ALLOWED_HOSTS: `127.0.0.1:${origin.port}`,
    ALLOW_LOOPBACK: 'true',
    AWS_ENDPOINT_URL_S3: process.env.TEST_S3_ENDPOINT as string,
    AWS_ENDPOINT_URL_DYNAMODB: process.env.TEST_DYNAMODB_ENDPOINT as string,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    LOG_LEVEL: 'error',
  };
}
