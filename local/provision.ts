import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  paginateScan,
  ResourceInUseException,
  UpdateItemCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { bucketExists, tableExists } from '../lib/aws/inspect';
import { ATTR, POINTER_SK, POINTERS_INDEX } from '../lib/layout';

/**
 * Create the table with the deployed schema (infra/storage.yml) unless it exists: pk/sk strings,
 * on-demand, and the sparse `pointers` index on `pointerKey` (only pointer items carry it). A table
 * an older version created (a `.local` data folder kept across upgrades) is brought up to it.
 */
export async function ensureTable(client: DynamoDBClient, table: string): Promise<void> {
  if (await tableExists(client, table)) {
    await upgradeTable(client, table);
    return;
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: ATTR.pk, AttributeType: 'S' },
          { AttributeName: ATTR.sk, AttributeType: 'S' },
          { AttributeName: ATTR.pointerKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: ATTR.pk, KeyType: 'HASH' },
          { AttributeName: ATTR.sk, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: POINTERS_INDEX,
            KeySchema: [{ AttributeName: ATTR.pointerKey, KeyType: 'HASH' }],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
  } catch (e) {
    if (!(e instanceof ResourceInUseException)) throw e;
  }
}

/**
 * Bring a table an older version created up to today's schema: add the `pointers` index if it is
 * missing, and give every pointer item written before that index existed its `pointerKey`. Without
 * them reconcile, verify and rollback list keys through the index and would not see those keys
 * until their next move. Idempotent, and cheap when there is nothing to do (one DescribeTable and
 * one Scan of pointer items without the attribute).
 */
export async function upgradeTable(client: DynamoDBClient, table: string): Promise<number> {
  const described = await client.send(new DescribeTableCommand({ TableName: table }));
  const indexes = described.Table?.GlobalSecondaryIndexes ?? [];
  if (!indexes.some((i) => i.IndexName === POINTERS_INDEX)) {
    await client.send(
      new UpdateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: ATTR.pointerKey, AttributeType: 'S' }],
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: POINTERS_INDEX,
              KeySchema: [{ AttributeName: ATTR.pointerKey, KeyType: 'HASH' }],
              Projection: { ProjectionType: 'ALL' },
            },
          },
        ],
      }),
    );
    await indexActive(client, table);
  }
  let backfilled = 0;
  const pages = paginateScan(
    { client },
    {
      TableName: table,
      FilterExpression: '#sk = :pointer AND attribute_not_exists(#pointerKey)',
      ExpressionAttributeNames: { '#sk': ATTR.sk, '#pk': ATTR.pk, '#pointerKey': ATTR.pointerKey },
      ExpressionAttributeValues: { ':pointer': { S: POINTER_SK } },
      ProjectionExpression: '#pk, #sk',
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const key = item[ATTR.pk];
      if (!key?.S) continue;
      await client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { [ATTR.pk]: key, [ATTR.sk]: { S: POINTER_SK } },
          UpdateExpression: 'SET #pointerKey = :key',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': ATTR.pk, '#pointerKey': ATTR.pointerKey },
          ExpressionAttributeValues: { ':key': key },
        }),
      );
      backfilled++;
    }
  }
  return backfilled;
}

/** Wait (at most a minute) for the new index to be readable: a backfilling index refuses queries. */
async function indexActive(client: DynamoDBClient, table: string): Promise<void> {
  for (let waited = 0; waited < 60_000; waited += 250) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    const index = Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === POINTERS_INDEX);
    if (index?.IndexStatus === 'ACTIVE' && !index.Backfilling) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`The ${POINTERS_INDEX} index of ${table} did not become active within a minute.`);
}

export async function ensureBucket(client: S3Client, bucket: string): Promise<void> {
  if (!(await bucketExists(client, bucket))) await client.send(new CreateBucketCommand({ Bucket: bucket }));
}
