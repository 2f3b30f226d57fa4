import { CreateTableCommand, type DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { bucketExists, tableExists } from '../lib/aws/inspect';
import { ATTR, POINTERS_INDEX } from '../lib/layout';

/**
 * Create the table with the deployed schema (pk/sk strings, on-demand, the sparse `pointers` index
 * that only pointer items appear in) unless it exists.
 */
export async function ensureTable(client: DynamoDBClient, table: string): Promise<void> {
  if (await tableExists(client, table)) return;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: ATTR.pointerKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
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
