import {
  type AttributeValue,
  ConditionalCheckFailedException,
  TransactionCanceledException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { backoffDelay, sleep } from '../backoff';
import { StorageError, storageError } from '../errors';
import { ATTR, POINTER_SK, revisionSk } from '../layout';
import type { ApproveResult, Pointer, StoredRevision, SummarizeMove } from '../sync/ports';
import { type MoveFactory, movedPointer, revisionItem, toRevision } from './dynamo-items';
import { getPointer } from './dynamo-reads';
import { pointerMoveFrom } from './dynamo-writes';
import { Table } from './table';

/** The writes of change safety: holding a revision, announcing the hold, approving it. */

/**
 * Write the history item of a held revision, or mark an existing one (same bytes, written while the
 * pointer was pinned) held. One UpdateItem, which creates the item when absent. Returns undefined
 * when written; otherwise the item already recorded (held before, or other bytes: a conflict).
 */
export async function holdRevision(table: Table, rev: StoredRevision): Promise<StoredRevision | undefined> {
  const item = revisionItem(rev);
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const sets = Object.entries(item)
    .filter(([name]) => name !== ATTR.pk && name !== ATTR.sk)
    .map(([name, value], i) => {
      names[`#a${i}`] = name;
      values[`:a${i}`] = value;
      return `#a${i} = :a${i}`;
    });
  names['#pk'] = ATTR.pk;
  names['#sha'] = ATTR.sha256;
  names['#held'] = ATTR.held;
  values[':sha'] = { S: rev.sha256 };
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: Table.key(rev.key, revisionSk(rev.revision)),
        UpdateExpression: `SET ${sets.join(', ')}`,
        // First bytes win, as for any history item; a revision is held once (its event id is stable).
        ConditionExpression: 'attribute_not_exists(#pk) OR (#sha = :sha AND attribute_not_exists(#held))',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return undefined;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException && e.Item) return toRevision(e.Item);
    throw storageError('record the held revision', e);
  }
}

/**
 * Note the newest held revision on the pointer, so the next revision's diff knows its base without a
 * Query. Best effort: no pointer yet, or a newer held revision already noted, leaves it as it is.
 */
export async function notePointerHeld(table: Table, key: string, revision: number): Promise<void> {
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: Table.key(key, POINTER_SK),
        UpdateExpression: 'SET #h = :r',
        ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(#h) OR #h < :r)',
        ExpressionAttributeNames: { '#h': ATTR.heldRevision, '#pk': ATTR.pk },
        ExpressionAttributeValues: { ':r': { N: String(revision) } },
      }),
    );
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return;
    throw storageError('note the held revision on the pointer', e);
  }
}

/** Clear the hold's "event pending" mark, only if it still names this event (at least once, like moves). */
export async function settleHold(table: Table, key: string, revision: number, eventId: string): Promise<void> {
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: Table.key(key, revisionSk(revision)),
        UpdateExpression: 'REMOVE #pending',
        ConditionExpression: '#pending = :id',
        ExpressionAttributeNames: { '#pending': ATTR.pendingHold },
        ExpressionAttributeValues: { ':id': { S: eventId } },
      }),
    );
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return;
    throw storageError('settle the hold', e);
  }
}

const ATTEMPTS = 25;
const BACKOFF = { baseMs: 10, maxMs: 200 };

/**
 * Approve: one transaction = Update(history item: approvedAt, if it still holds its recorded sha256)
 * + Update(pointer := that revision) conditioned on the pointer exactly as read, not pinned and
 * behind it. A webhook moving the pointer in between makes the condition fail and we re-decide.
 * The caller has already verified the revision's bytes in S3; the move records what `summarize`
 * says it changes from the pointer it replaces.
 */
export async function approveRevision(
  table: Table,
  rev: StoredRevision,
  move: MoveFactory,
  summarize?: SummarizeMove,
): Promise<ApproveResult> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const seen = await getPointer(table, rev.key);
    if (seen?.pinned) return { moved: false, reason: 'pinned', current: seen };
    if (seen && seen.revision >= rev.revision) return { moved: false, reason: 'older', current: seen };
    const summary = await summarize?.(seen, rev);
    const m = { ...move('approve', seen, false), summary };
    const update = pointerMoveFrom(table.name, rev, seen, m);
    try {
      await table.transact([approvedMark(table.name, rev, m.updatedAt), { Update: update }]);
      const pointer: Pointer = { ...plain(rev), ...movedPointer(m), previousRevision: seen?.revision };
      return { moved: true, pointer, previous: seen };
    } catch (e) {
      if (!(e instanceof TransactionCanceledException)) throw storageError('approve the revision', e);
      const [history, pointer] = e.CancellationReasons ?? [];
      if (history?.Code === 'ConditionalCheckFailed')
        throw new StorageError(`Revision ${rev.revision} of ${rev.key} is no longer recorded as read.`);
      if (
        pointer?.Code !== 'ConditionalCheckFailed' &&
        pointer?.Code !== 'TransactionConflict' &&
        history?.Code !== 'TransactionConflict'
      ) {
        throw storageError('approve the revision', e);
      }
      await sleep(backoffDelay(attempt, BACKOFF));
    }
  }
  throw new StorageError(`Could not approve revision ${rev.revision} of ${rev.key}: too much contention.`);
}

function approvedMark(table: string, rev: StoredRevision, at: string) {
  return {
    Update: {
      TableName: table,
      Key: Table.key(rev.key, revisionSk(rev.revision)),
      UpdateExpression: 'SET #approved = :at',
      ConditionExpression: '#sha = :sha',
      ExpressionAttributeNames: { '#approved': ATTR.approvedAt, '#sha': ATTR.sha256 },
      ExpressionAttributeValues: { ':at': { S: at }, ':sha': { S: rev.sha256 } },
    },
  };
}

/** The revision without its history-only fields (what a pointer carries). */
export function plain(rev: StoredRevision): StoredRevision {
  const { summary: _s, held: _h, violations: _v, holdEventId: _e, holdUnsettled: _u, approvedAt: _a, ...rest } = rev;
  return rest;
}
