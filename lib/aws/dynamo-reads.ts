import { type AttributeValue, QueryCommand, ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { storageError } from '../errors';
import { ATTR, POINTER_SK, POINTERS_INDEX, REVISION_SK_PREFIX, ROLLBACK_SK_PREFIX, revisionSk } from '../layout';
import type { KeyState, Pointer, RollbackRecord, StoredRevision } from '../sync/ports';
import { toPointer, toRevision } from './dynamo-items';
import { toRollbackRecord } from './dynamo-writes';
import type { Table } from './table';

/** The reads every store operation shares, as plain functions on the table handle. */

export async function getPointer(table: Table, key: string): Promise<Pointer | undefined> {
  const item = await read(() => table.get(key, POINTER_SK), 'read the pointer');
  return item ? toPointer(item) : undefined;
}

export async function getRevision(table: Table, key: string, revision: number): Promise<StoredRevision | undefined> {
  const item = await read(() => table.get(key, revisionSk(revision)), 'read the history');
  return item ? toRevision(item) : undefined;
}

/** Pointer and one history item in one BatchGetItem: all a webhook needs to decide before fetching. */
export async function lookup(table: Table, key: string, revision: number): Promise<KeyState> {
  const [pointer, rev] = await read(
    () =>
      table.getMany([
        { pk: key, sk: POINTER_SK },
        { pk: key, sk: revisionSk(revision) },
      ]),
    'read the ledger',
  );
  return { pointer: pointer ? toPointer(pointer) : undefined, revision: rev ? toRevision(rev) : undefined };
}

/** The newest stored revision of a key (Query history descending, limit 1). */
export async function newestRevision(table: Table, key: string): Promise<StoredRevision | undefined> {
  return (await queryHistory(table, key, { descending: true, limit: 1 })).items[0];
}

/** Every stored revision of a key, oldest first (paginated Query on the key). */
export async function listHistory(table: Table, key: string): Promise<StoredRevision[]> {
  const all: StoredRevision[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await queryHistory(table, key, { start });
    all.push(...page.items);
    start = page.next;
  } while (start);
  return all;
}

/** The newest stored revision of a key below `revision` (Query history descending, limit 1). */
export async function revisionBefore(table: Table, key: string, revision: number): Promise<StoredRevision | undefined> {
  if (revision <= 0) return undefined;
  return (await queryHistory(table, key, { descending: true, limit: 1, below: revision })).items[0];
}

/** Every rollback log item of a key, oldest first (one partition, a handful of items). */
export async function listRollbacks(table: Table, key: string): Promise<RollbackRecord[]> {
  const all: RollbackRecord[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await read(
      () =>
        table.client.send(
          new QueryCommand({
            TableName: table.name,
            KeyConditionExpression: 'pk = :k AND begins_with(sk, :log)',
            ExpressionAttributeValues: { ':k': { S: key }, ':log': { S: ROLLBACK_SK_PREFIX } },
            ExclusiveStartKey: start,
            ConsistentRead: true,
          }),
        ),
      'read the rollback log',
    );
    all.push(...(out.Items ?? []).map(toRollbackRecord));
    start = out.LastEvaluatedKey;
  } while (start);
  return all;
}

async function queryHistory(
  table: Table,
  key: string,
  o: { descending?: boolean; limit?: number; start?: Record<string, AttributeValue>; below?: number },
): Promise<{ items: StoredRevision[]; next?: Record<string, AttributeValue> }> {
  // Revisions below `below`: sort keys from REV#000000000000 up to the zero-padded `below - 1`.
  const range: { condition: string; values: Record<string, AttributeValue> } =
    o.below === undefined
      ? { condition: 'begins_with(sk, :rev)', values: { ':rev': { S: REVISION_SK_PREFIX } } }
      : { condition: 'sk BETWEEN :lo AND :hi', values: { ':lo': { S: revisionSk(0) }, ':hi': { S: revisionSk(o.below - 1) } } };
  const out = await read(
    () =>
      table.client.send(
        new QueryCommand({
          TableName: table.name,
          KeyConditionExpression: `pk = :k AND ${range.condition}`,
          ExpressionAttributeValues: { ':k': { S: key }, ...range.values },
          ScanIndexForward: !o.descending,
          Limit: o.limit,
          ExclusiveStartKey: o.start,
          ConsistentRead: true,
        }),
      ),
    'read the history',
  );
  return { items: (out.Items ?? []).map(toRevision), next: o.limit ? undefined : out.LastEvaluatedKey };
}

/**
 * Every pointer: a Scan of the sparse `pointers` index, which holds one entry per key (only pointer
 * items carry its hash key), so the cost grows with the number of keys, not with their history.
 * Index reads are eventually consistent: a key created a second ago may show up on the next run.
 */
export async function* listPointers(table: Table): AsyncIterable<Pointer> {
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out: ScanCommandOutput = await read(
      () => table.client.send(new ScanCommand({ TableName: table.name, IndexName: POINTERS_INDEX, ExclusiveStartKey: start })),
      'list the pointers',
    );
    for (const item of out.Items ?? []) if (item[ATTR.sk]?.S === POINTER_SK) yield toPointer(item);
    start = out.LastEvaluatedKey;
  } while (start);
}

async function read<T>(call: () => Promise<T>, action: string): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw storageError(action, e);
  }
}
