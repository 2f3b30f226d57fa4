import { CreateTableCommand, type DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { bucketExists, tableExists } from '../lib/aws/inspect';
import { ATTR, POINTERS_INDEX } from '../lib/layout';

/**
 * Create the table with the deployed schema (infra/storage.yml) unless it exists: pk/sk strings,
 * on-demand, and the sparse `pointers` index on `pointerKey` (only pointer items carry it).
 */
export async function ensureTable(client: DynamoDBClient, table: string): Promise<void> {
  if (await tableExists(client, table)) return;
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

export async function ensureBucket(client: S3Client, bucket: string): Promise<void> {
  if (!(await bucketExists(client, bucket))) await client.send(new CreateBucketCommand({ Bucket: bucket }));
}
