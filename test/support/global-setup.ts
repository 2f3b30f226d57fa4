import { startLocalStores } from '../../local/stores';

/** Start DynamoDB Local and s3rver once for the whole run; workers inherit the endpoints. */
export default async function globalSetup(): Promise<void> {
  const stores = await startLocalStores();
  (globalThis as { __stores?: unknown }).__stores = stores;
  process.env.TEST_DYNAMODB_ENDPOINT = stores.dynamoEndpoint;
  process.env.TEST_S3_ENDPOINT = stores.s3Endpoint;
}
