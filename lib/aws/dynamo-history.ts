import { type AttributeValue, type DynamoDBClient, QueryCommand, ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { storageError } from '../errors';
import type { Pointer, StoredRevision } from '../sync/ports';
import { POINTER_SK, REV_PREFIX, toPointer, toRevision } from './dynamo-items';

/** The newest stored revision of a key (Query history descending, limit 1). */
export async function newestRevision(client: DynamoDBClient, table: string, key: string): Promise<StoredRevision | undefined> {
  const page = await queryHistory(client, table, key, { descending: true, limit: 1 });
  return page.items[0];
}

/** Every stored revision of a key, oldest first (paginated Query on the key). */
export async function listHistory(client: DynamoDBClient, table: string, key: string): Promise<StoredRevision[]> {
  const all: StoredRevision[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await queryHistory(client, table, key, { start });
    all.push(...page.items);
    start = page.next;
  } while (start);
  return all;
}

async function queryHistory(
  client: DynamoDBClient,
  table: string,
  key: string,
  o: { descending?: boolean; limit?: number; start?: Record<string, AttributeValue> },
): Promise<{ items: StoredRevision[]; next?: Record<string, AttributeValue> }> {
  try {
    const out = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :k AND begins_with(sk, :rev)',
        ExpressionAttributeValues: { ':k': { S: key }, ':rev': { S: REV_PREFIX } },
        ScanIndexForward: !o.descending,
        Limit: o.limit,
        ExclusiveStartKey: o.start,
        ConsistentRead: true,
      }),
    );
    return { items: (out.Items ?? []).map(toRevision), next: o.limit ? undefined : out.LastEvaluatedKey };
  } catch (e) {
    throw storageError('read the history', e);
  }
}

/**
 * Every pointer in the table: a Scan filtered on sk = POINTER, page by page (the reconcile
 * function is granted dynamodb:Scan for exactly this). Consistent reads, so a key created a moment
 * ago is not missed.
 */
export async function* scanPointers(client: DynamoDBClient, table: string): AsyncIterable<Pointer> {
  let start: Record<string, AttributeValue> | undefined;
  do {
    let out: ScanCommandOutput;
    try {
      out = await client.send(
        new ScanCommand({
          TableName: table,
          FilterExpression: 'sk = :p',
          ExpressionAttributeValues: { ':p': { S: POINTER_SK } },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
    } catch (e) {
      throw storageError('list the pointers', e);
    }
    for (const item of out.Items ?? []) yield toPointer(item);
    start = out.LastEvaluatedKey;
  } while (start);
}
