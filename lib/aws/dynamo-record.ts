import { randomUUID } from 'node:crypto';
import {
  type CancellationReason,
  ConditionalCheckFailedException,
  PutItemCommand,
  TransactionCanceledException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type BackoffPolicy, backoffDelay, sleep } from '../backoff';
import { StorageError, storageError } from '../errors';
import { ATTR, POINTER_SK } from '../layout';
import type { Pointer, RecordRequest, RecordResult, StoredRevision, Verdict } from '../sync/ports';
import { holdRevision, notePointerHeld } from './dynamo-hold';
import { type MoveFactory, movedPointer, toPointer, toRevision } from './dynamo-items';
import { getPointer, getRevision } from './dynamo-reads';
import { historyPut, pointerMove } from './dynamo-writes';
import { Table } from './table';

/** Contention retries: short, since the competing write has usually just committed. */
export const CONTENTION_BACKOFF: BackoffPolicy = { baseMs: 20, maxMs: 1_000 };

export interface RecordOptions {
  /** The attributes of a new move (fresh event id, born unsettled). */
  move: MoveFactory;
  /** Attempts when a transaction loses a conflict or a race on the pointer. */
  maxAttempts: number;
}

/**
 * One transaction: put the history item (only if absent) and move the pointer to it.
 * Optimistic on the pointer: the condition names the exact pointer revision we read, so when a
 * concurrent delivery moved it first we learn that from the cancellation (ALL_OLD), re-decide,
 * and try again — and `previous` in the result is exactly the revision we replaced.
 * Outcomes, not errors: history exists with our bytes → duplicate, with other bytes → conflict
 * (the first recorded wins); pointer ahead → older; pinned → pinned. An older or pinned-out
 * revision still lands in history, by a second, plain conditional put.
 * Guarded: before each move the guard judges the pointer we would move from (once per pointer
 * revision, so a concurrent move is judged too); violations make it a hold instead.
 */
export async function recordRevision(
  table: Table,
  rev: StoredRevision,
  request: RecordRequest,
  options: RecordOptions,
): Promise<RecordResult> {
  let seen = request.seen === undefined ? await getPointer(table, rev.key) : (request.seen ?? undefined);
  let inHistory = false;
  const judged = new Map<string, Promise<Verdict>>();
  const judge = (p: Pointer | undefined) => {
    const id = p ? `${p.revision}:${p.sha256}` : '';
    if (!judged.has(id) && request.guard) judged.set(id, request.guard(p));
    return judged.get(id);
  };
  for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
    const verdict = !seen || seen.revision < rev.revision ? await judge(seen) : undefined;
    if (verdict && verdict.violations.length > 0) return hold(table, rev, verdict, seen);
    if (seen && (seen.pinned || seen.revision >= rev.revision)) {
      if (!inHistory) {
        const recorded = await putHistoryOnly(table, rev);
        if (recorded) return alreadyRecorded(rev, recorded, seen);
      }
      inHistory = true;
      if (!seen.pinned) return { moved: false, reason: 'older', current: seen };
      // Why re-read: an unpin may have committed between our read (pinned) and our history put;
      // it moved the pointer to the newest revision *it* could see, which is not ours. Seeing the
      // pin gone now, we move the pointer forward ourselves, so it never stays behind history.
      const now = await getPointer(table, rev.key);
      if (!now || now.pinned || now.revision >= rev.revision) return { moved: false, reason: 'pinned', current: seen };
      seen = now;
      continue;
    }
    const move = { ...options.move(request.reason, seen, false), summary: verdict?.summary };
    const pointer = { ...rev, ...movedPointer(move), previousRevision: seen?.revision };
    try {
      if (inHistory) {
        // Our history item is already written (and immutable): only the pointer moves. A plain
        // conditional UpdateItem, so the function needs no dynamodb:ConditionCheckItem permission.
        await table.client.send(new UpdateItemCommand(pointerMove(table.name, rev, seen, move).Update));
      } else {
        await table.transact([historyPut(table.name, rev), pointerMove(table.name, rev, seen, move)]);
      }
      return { moved: true, previous: seen, pointer };
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) {
        seen = e.Item ? toPointer(e.Item) : await getPointer(table, rev.key);
        continue;
      }
      if (!(e instanceof TransactionCanceledException)) throw storageError('record the revision', e);
      const [history, pointerReason] = e.CancellationReasons ?? [];
      if (history?.Code === 'ConditionalCheckFailed') {
        const recorded = history.Item ? toRevision(history.Item) : await getRevision(table, rev.key, rev.revision);
        // A racer recorded this revision first and usually moved the pointer too: report the
        // pointer as it is now, not as we read it, or a same-bytes racer answers `superseded`.
        const moved = pointerReason?.Code === 'ConditionalCheckFailed';
        const current = !moved ? seen : pointerReason.Item ? toPointer(pointerReason.Item) : await getPointer(table, rev.key);
        return alreadyRecorded(rev, recorded ?? rev, current);
      }
      if (pointerReason?.Code === 'ConditionalCheckFailed') {
        seen = pointerReason.Item ? toPointer(pointerReason.Item) : await getPointer(table, rev.key);
        continue;
      }
      if (!isConflict(e.CancellationReasons)) throw storageError('record the revision', e);
      await sleep(backoffDelay(attempt, CONTENTION_BACKOFF));
    }
  }
  throw new StorageError(`Could not record revision ${rev.revision} of ${rev.key}: too much contention.`);
}

/**
 * Clear the "unsettled" mark of the move announced by `eventId`, and the events it owed (published
 * by then). Conditional on that very move still being the pointer's last: false when the pointer
 * has moved on (its mover settles it, and owes this move's event if it replaced it unsettled).
 */
export async function settleMove(table: Table, key: string, eventId: string): Promise<boolean> {
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: Table.key(key, POINTER_SK),
        UpdateExpression: 'REMOVE #pending, #owed',
        ConditionExpression: '#pending = :id',
        ExpressionAttributeNames: { '#pending': ATTR.pendingEvent, '#owed': ATTR.owedEvents },
        ExpressionAttributeValues: { ':id': { S: eventId } },
      }),
    );
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw storageError('settle the pointer', e);
  }
}

/** Record the revision held: history item with its violations and a pending `Datafile Held` event. */
async function hold(table: Table, rev: StoredRevision, verdict: Verdict, seen: Pointer | undefined): Promise<RecordResult> {
  const held: StoredRevision = { ...rev, held: true, violations: verdict.violations, holdEventId: randomUUID(), holdUnsettled: true };
  const recorded = await holdRevision(table, held);
  if (recorded && recorded.sha256 !== rev.sha256) return { moved: false, reason: 'conflict', current: seen, recorded };
  if (recorded) return { moved: false, reason: 'held', current: seen, held: recorded };
  await notePointerHeld(table, rev.key, rev.revision);
  return { moved: false, reason: 'held', current: seen, held };
}

/** Put the history item alone; the item already recorded when there was one. */
async function putHistoryOnly(table: Table, rev: StoredRevision): Promise<StoredRevision | undefined> {
  try {
    await table.client.send(new PutItemCommand(historyPut(table.name, rev).Put));
    return undefined;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return e.Item ? toRevision(e.Item) : getRevision(table, rev.key, rev.revision);
    throw storageError('record the revision in history', e);
  }
}

function alreadyRecorded(rev: StoredRevision, recorded: StoredRevision, current: Pointer | undefined): RecordResult {
  if (recorded.sha256 !== rev.sha256) return { moved: false, reason: 'conflict', current, recorded };
  return { moved: false, reason: 'duplicate', current };
}

function isConflict(reasons: CancellationReason[] | undefined): boolean {
  return (reasons ?? []).some((r) => r.Code === 'TransactionConflict');
}
