import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { dynamoClient, s3Client } from '../../lib/aws/clients';
import { ATTR } from '../../lib/layout';
import { ensureBucket, ensureTable } from '../../local/provision';

/** Clients for the local stores the global setup started, and a fresh table + bucket per call. */
export interface TestStores {
  dynamo: DynamoDBClient;
  s3: S3Client;
  table: string;
  bucket: string;
}

export function localClients(): { dynamo: DynamoDBClient; s3: S3Client } {
  const dynamoEndpoint = process.env.TEST_DYNAMODB_ENDPOINT;
  const s3Endpoint = process.env.TEST_S3_ENDPOINT;
  if (!dynamoEndpoint || !s3Endpoint) throw new Error('local stores are not running (jest globalSetup)');
  // The project's client factory, with slack: a shared 2-core machine can be slow, and a test must not
  // fail on a timeout meant for production.
  const slack = { requestTimeoutMs: 60_000, connectionTimeoutMs: 10_000 };
  return { dynamo: dynamoClient({ endpoint: dynamoEndpoint, ...slack }), s3: s3Client({ endpoint: s3Endpoint, ...slack }) };
}

export async function freshStores(): Promise<TestStores> {
  const { dynamo, s3 } = localClients();
  const id = randomUUID().slice(0, 8);
  const table = `datafiles-${id}`;
  const bucket = `datafiles-${id}`;
  await ensureTable(dynamo, table);
  await ensureBucket(s3, bucket);
  return { dynamo, s3, table, bucket };
}

export async function readObject(stores: TestStores, key: string): Promise<{ body: string; metadata: Record<string, string> } | undefined> {
  try {
    const out = await stores.s3.send(new GetObjectCommand({ Bucket: stores.bucket, Key: key }));
    return { body: (await out.Body?.transformToString()) ?? '', metadata: out.Metadata ?? {} };
  } catch (e) {
    if ((e as { name?: string }).name === 'NoSuchKey') return undefined;
    throw e;
  }
}

export async function objectExists(stores: TestStores, key: string): Promise<boolean> {
  try {
    await stores.s3.send(new HeadObjectCommand({ Bucket: stores.bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

export async function listObjects(stores: TestStores, prefix = ''): Promise<string[]> {
  const out = await stores.s3.send(new ListObjectsV2Command({ Bucket: stores.bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key ?? '').sort();
}

/** Every item of one datafile key (pointer + history), raw. */
export async function itemsFor(stores: TestStores, key: string) {
  const out = await stores.dynamo.send(
    new QueryCommand({
      TableName: stores.table,
      KeyConditionExpression: '#pk = :k',
      ExpressionAttributeNames: { '#pk': ATTR.pk },
      ExpressionAttributeValues: { ':k': { S: key } },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}
