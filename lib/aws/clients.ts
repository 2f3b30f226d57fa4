import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';

/**
 * Default clients. The SDK reads `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL_DYNAMODB` itself, but has
 * no variable for path-style addressing, which S3-compatible local servers need: whenever a custom
 * S3 endpoint is configured we turn it on here, so pointing at the local stack needs only the two
 * endpoint variables.
 */
export function defaultS3Client(region?: string): S3Client {
  const custom = Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL);
  return new S3Client({
    forcePathStyle: custom,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(custom ? localCredentials() : {}),
    ...(region ? { region } : {}),
  });
}

/** `region` (CLI --region) wins over AWS_REGION and the profile's region. */
export function defaultDynamoClient(region?: string): DynamoDBClient {
  const custom = Boolean(process.env.AWS_ENDPOINT_URL_DYNAMODB ?? process.env.AWS_ENDPOINT_URL);
  return new DynamoDBClient({ ...(custom ? localCredentials() : {}), ...(region ? { region } : {}) });
}

/** Local servers accept any credentials; fill them in when none are configured. */
function localCredentials(): { region?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } {
  const region = (process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION) ? undefined : 'us-east-1';
  const haveKeys = process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE;
  return {
    ...(region ? { region } : {}),
    ...(haveKeys ? {} : { credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } }),
  };
}
