import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';

/**
 * The one place AWS clients are configured and built (the functions, the CLI, the local stack, the
 * bench, the tests and the published reader all build theirs here; a guard test,
 * test/unit/guards/aws-clients.test.ts, keeps `new …Client(` out of every other file).
 *
 * - Timeouts on every client: a connection must open within `connectionTimeoutMs` and a request
 *   answer (its headers) within `requestTimeoutMs`, and the SDK tries at most `maxAttempts` times,
 *   so a stalled store costs seconds (3 × 5 s), not the function's whole timeout.
 * - Local stand-ins: the SDK reads `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL_DYNAMODB` itself but has
 *   no variable for path-style addressing, which S3-compatible local servers need: whenever a custom
 *   S3 endpoint is in use it is turned on here, and dummy credentials are filled in when none are set.
 * - Checksums only when required: s3rver does not implement the newer flexible checksums, and every
 *   reader of our objects verifies the sha256 itself.
 * - Only the S3 and DynamoDB packages are imported here (the published reader depends on those two
 *   alone): other services' clients are built by {@link awsClient} from the class the caller passes.
 */
export interface ClientOptions {
  region?: string;
  /** An explicit endpoint (local stack, tests); otherwise the SDK's own resolution. */
  endpoint?: string;
  /** Fixed credentials (local stand-ins that must not pick up a developer's profile); otherwise the SDK's chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxAttempts?: number;
}

export const CLIENT_DEFAULTS = { connectionTimeoutMs: 2_000, requestTimeoutMs: 5_000, maxAttempts: 3 } as const;

/** The configuration every client shares: region, endpoint, credentials for local servers, timeouts. */
export function clientConfig(options: ClientOptions = {}, service: 'S3' | 'DYNAMODB' | 'OTHER' = 'OTHER') {
  const custom = Boolean(
    options.endpoint ?? (service === 'OTHER' ? undefined : process.env[`AWS_ENDPOINT_URL_${service}`]) ?? process.env.AWS_ENDPOINT_URL,
  );
  const haveRegion = Boolean(options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION);
  const haveKeys = Boolean(process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE);
  return {
    ...(options.region ? { region: options.region } : custom && !haveRegion ? { region: 'us-east-1' } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials
      ? { credentials: options.credentials }
      : custom && !haveKeys
        ? { credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } }
        : {}),
    maxAttempts: options.maxAttempts ?? CLIENT_DEFAULTS.maxAttempts,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? CLIENT_DEFAULTS.connectionTimeoutMs,
      // Until the response headers arrive (a large body may take longer to stream). Without
      // throwOnRequestTimeout the SDK only logs a warning when it passes and keeps waiting.
      requestTimeout: options.requestTimeoutMs ?? CLIENT_DEFAULTS.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  };
}

export function s3Client(options: ClientOptions = {}): S3Client {
  const config = clientConfig(options, 'S3');
  return new S3Client({
    ...config,
    forcePathStyle: Boolean(options.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function dynamoClient(options: ClientOptions = {}): DynamoDBClient {
  return new DynamoDBClient(clientConfig(options, 'DYNAMODB'));
}

/** What {@link awsClient} accepts: an AWS SDK v3 client class (EventBridgeClient, SSMClient, …). */
export type AwsClientClass<C> = new (config: ReturnType<typeof clientConfig>) => C;

/**
 * A client of any other service (EventBridge, SSM, CloudFormation), configured as every client is:
 * `awsClient(EventBridgeClient, { region })`. The caller passes the class, so its package is loaded
 * only where it is used.
 */
export function awsClient<C>(Client: AwsClientClass<C>, options: ClientOptions = {}): C {
  return new Client(clientConfig(options));
}
