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

/** The newest stored revision below `revision` (Query descending, limit 1, sort key below its own). */
export async function newestBelow(table: Table, key: string, revision: number): Promise<StoredRevision | undefined> {
  return (await queryHistory(table, key, { descending: true, limit: 1, below: revision })).items[0];
}

/**
 * The newest stored revision that may go live without an operator: not held, or approved. Pages
 * descending past held items (few: each is a revision someone has to look at).
 */
export async function newestLiveRevision(table: Table, key: string): Promise<StoredRevision | undefined> {
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await queryHistory(table, key, { descending: true, limit: 20, start, paged: true });
    const live = page.items.find((r) => !r.held || r.approvedAt !== undefined);
    if (live) return live;
    start = page.next;
  } while (start);
  return undefined;
}

/**
 * Every held, not yet approved revision (a Scan of the table filtered on `held`: an operator's
 * listing, not a hot path), by key then revision.
 */
export async function listHeld(table: Table): Promise<StoredRevision[]> {
  const all: StoredRevision[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out: ScanCommandOutput = await read(
      () =>
        table.client.send(
          new ScanCommand({
            TableName: table.name,
            FilterExpression: 'attribute_exists(#held) AND attribute_not_exists(#approved)',
            ExpressionAttributeNames: { '#held': ATTR.held, '#approved': ATTR.approvedAt },
            ExclusiveStartKey: start,
            ConsistentRead: true,
          }),
        ),
      'list the held revisions',
    );
    all.push(...(out.Items ?? []).map(toRevision));
    start = out.LastEvaluatedKey;
  } while (start);
  return all.sort((a, b) => (a.key === b.key ? a.revision - b.revision : a.key < b.key ? -1 : 1));
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
            KeyConditionExpression: '#pk = :k AND begins_with(#sk, :log)',
            ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
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
  o: { descending?: boolean; limit?: number; start?: Record<string, AttributeValue>; below?: number; paged?: boolean },
): Promise<{ items: StoredRevision[]; next?: Record<string, AttributeValue> }> {
  // `below`: history items sort by zero-padded revision, so "sk between REV# and REV#{n-1}" is below n.
  const range = o.below === undefined ? 'begins_with(#sk, :rev)' : '#sk BETWEEN :rev AND :below';
  const values: Record<string, AttributeValue> = { ':k': { S: key }, ':rev': { S: REVISION_SK_PREFIX } };
  if (o.below !== undefined) values[':below'] = { S: revisionSk(Math.max(0, o.below - 1)) };
  const out = await read(
    () =>
      table.client.send(
        new QueryCommand({
          TableName: table.name,
          KeyConditionExpression: `#pk = :k AND ${range}`,
          ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
          ExpressionAttributeValues: values,
          ScanIndexForward: !o.descending,
          Limit: o.limit,
          ExclusiveStartKey: o.start,
          ConsistentRead: true,
        }),
      ),
    'read the history',
  );
  return { items: (out.Items ?? []).map(toRevision), next: o.limit && !o.paged ? undefined : out.LastEvaluatedKey };
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
