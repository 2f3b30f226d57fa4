import { randomUUID } from 'node:crypto';
import {
  type CancellationReason,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  TransactionCanceledException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type BackoffPolicy, backoffDelay, sleep } from '../backoff';
import { StorageError, storageError } from '../errors';
import { ATTR, POINTER_SK } from '../layout';
import type {
  ApproveResult,
  FetchValidators,
  KeyState,
  MoveReason,
  MoveSummary,
  PinLedger,
  PinOptions,
  PinResult,
  Pointer,
  ReconcileState,
  RecordRequest,
  RecordResult,
  RollbackRecord,
  StoredRevision,
  Verdict,
} from '../sync/ports';
import { approveRevision, holdRevision, notePointerHeld, settleHold } from './dynamo-hold';
import { type Move, movedPointer, toPointer, toRevision } from './dynamo-items';
import { pinPointer, unpinPointer } from './dynamo-pin';
import { getPointer, getRevision, listHeld, listHistory, listPointers, listRollbacks, lookup, newestBelow } from './dynamo-reads';
import { readCursor, saveValidators, writeCursor } from './dynamo-reconcile';
import { historyPut, pointerMove } from './dynamo-writes';
import { Table } from './table';

export interface DynamoLedgerOptions {
  table: string;
  client: DynamoDBClient;
  /** Attempts when a transaction loses a conflict or a race on the pointer. */
  maxAttempts?: number;
  now?: () => Date;
}

/** Contention retries: short, since the competing write has usually just committed. */
export const CONTENTION_BACKOFF: BackoffPolicy = { baseMs: 20, maxMs: 1_000 };

/** RevisionLedger on one DynamoDB table (layout in lib/layout.ts). */
export class DynamoLedger implements PinLedger, ReconcileState {
  readonly table: Table;
  private readonly maxAttempts: number;
  private readonly now: () => Date;

  constructor(options: DynamoLedgerOptions) {
    this.table = new Table(options.client, options.table);
    this.maxAttempts = options.maxAttempts ?? 25;
    this.now = options.now ?? (() => new Date());
  }

  getPointer(key: string): Promise<Pointer | undefined> {
    return getPointer(this.table, key);
  }

  getRevision(key: string, revision: number): Promise<StoredRevision | undefined> {
    return getRevision(this.table, key, revision);
  }

  lookup(key: string, revision: number): Promise<KeyState> {
    return lookup(this.table, key, revision);
  }

  newestBelow(key: string, revision: number): Promise<StoredRevision | undefined> {
    return newestBelow(this.table, key, revision);
  }

  approve(rev: StoredRevision, summary?: MoveSummary): Promise<ApproveResult> {
    return approveRevision(this.table, rev, this.move.bind(this), summary);
  }

  settleHold(key: string, revision: number, eventId: string): Promise<void> {
    return settleHold(this.table, key, revision, eventId);
  }

  pin(rev: StoredRevision, options?: PinOptions): Promise<PinResult> {
    return pinPointer(this.table, rev, this.move.bind(this), options);
  }

  unpin(key: string, verify: (rev: StoredRevision) => Promise<void>): Promise<PinResult | undefined> {
    return unpinPointer(this.table, key, verify, this.move.bind(this));
  }

  listPointers(): AsyncIterable<Pointer> {
    return listPointers(this.table);
  }

  /** Every stored revision of the key, oldest first. */
  history(key: string): Promise<StoredRevision[]> {
    return listHistory(this.table, key);
  }

  /** Every alarm rollback of the key, oldest first. */
  rollbacks(key: string): Promise<RollbackRecord[]> {
    return listRollbacks(this.table, key);
  }

  /** Held revisions no operator approved: of one key, or of every key (a Scan). */
  async held(key?: string): Promise<StoredRevision[]> {
    if (key === undefined) return listHeld(this.table);
    return (await this.history(key)).filter((r) => r.held && r.approvedAt === undefined);
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
  async record(rev: StoredRevision, request: RecordRequest): Promise<RecordResult> {
    let seen = request.seen === undefined ? await this.getPointer(rev.key) : (request.seen ?? undefined);
    let inHistory = false;
    const judged = new Map<string, Promise<Verdict>>();
    const judge = (p: Pointer | undefined) => {
      const id = p ? `${p.revision}:${p.sha256}` : '';
      if (!judged.has(id) && request.guard) judged.set(id, request.guard(p));
      return judged.get(id);
    };
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const verdict = !seen || seen.revision < rev.revision ? await judge(seen) : undefined;
      if (verdict && verdict.violations.length > 0) return this.hold(rev, verdict, seen);
      if (seen && (seen.pinned || seen.revision >= rev.revision)) {
        if (!inHistory) {
          const recorded = await this.putHistoryOnly(rev);
          if (recorded) return alreadyRecorded(rev, recorded, seen);
        }
        inHistory = true;
        if (!seen.pinned) return { moved: false, reason: 'older', current: seen };
        // Why re-read: an unpin may have committed between our read (pinned) and our history put;
        // it moved the pointer to the newest revision *it* could see, which is not ours. Seeing the
        // pin gone now, we move the pointer forward ourselves, so it never stays behind history.
        const now = await this.getPointer(rev.key);
        if (!now || now.pinned || now.revision >= rev.revision) return { moved: false, reason: 'pinned', current: seen };
        seen = now;
        continue;
      }
      const move = { ...this.move(request.reason, seen, false), summary: verdict?.summary };
      const pointer = { ...rev, ...movedPointer(move), previousRevision: seen?.revision };
      try {
        if (inHistory) {
          // Our history item is already written (and immutable): only the pointer moves. A plain
          // conditional UpdateItem, so the function needs no dynamodb:ConditionCheckItem permission.
          await this.table.client.send(new UpdateItemCommand(pointerMove(this.table.name, rev, seen, move).Update));
        } else {
          await this.table.transact([historyPut(this.table.name, rev), pointerMove(this.table.name, rev, seen, move)]);
        }
        return { moved: true, previous: seen, pointer };
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException) {
          seen = e.Item ? toPointer(e.Item) : await this.getPointer(rev.key);
          continue;
        }
        if (!(e instanceof TransactionCanceledException)) throw storageError('record the revision', e);
        const [history, pointerReason] = e.CancellationReasons ?? [];
        if (history?.Code === 'ConditionalCheckFailed') {
          const recorded = history.Item ? toRevision(history.Item) : await this.getRevision(rev.key, rev.revision);
          // A racer recorded this revision first and usually moved the pointer too: report the
          // pointer as it is now, not as we read it, or a same-bytes racer answers `superseded`.
          const moved = pointerReason?.Code === 'ConditionalCheckFailed';
          const current = !moved ? seen : pointerReason.Item ? toPointer(pointerReason.Item) : await this.getPointer(rev.key);
          return alreadyRecorded(rev, recorded ?? rev, current);
        }
        if (pointerReason?.Code === 'ConditionalCheckFailed') {
          seen = pointerReason.Item ? toPointer(pointerReason.Item) : await this.getPointer(rev.key);
          continue;
        }
        if (!isConflict(e.CancellationReasons)) throw storageError('record the revision', e);
        await sleep(backoffDelay(attempt, CONTENTION_BACKOFF));
      }
    }
    throw new StorageError(`Could not record revision ${rev.revision} of ${rev.key}: too much contention.`);
  }

  /**
   * Clear the "unsettled" mark of the move announced by `eventId`. Conditional on that very move
   * still being the pointer's last: false when the pointer has moved on (its mover settles it).
   */
  async settle(key: string, eventId: string): Promise<boolean> {
    try {
      await this.table.client.send(
        new UpdateItemCommand({
          TableName: this.table.name,
          Key: Table.key(key, POINTER_SK),
          UpdateExpression: 'REMOVE #pending',
          ConditionExpression: '#pending = :id',
          ExpressionAttributeNames: { '#pending': ATTR.pendingEvent },
          ExpressionAttributeValues: { ':id': { S: eventId } },
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw storageError('settle the pointer', e);
    }
  }

  readCursor(): Promise<string | undefined> {
    return readCursor(this.table);
  }

  writeCursor(key: string): Promise<void> {
    return writeCursor(this.table, key);
  }

  saveValidators(key: string, validators: FetchValidators): Promise<void> {
    return saveValidators(this.table, key, validators);
  }

  /** The attributes of a new move: a fresh event id, born unsettled. */
  private move(reason: MoveReason, seen: Pointer | undefined, pinned: boolean, pinReason?: string): Move {
    return { updatedAt: this.now().toISOString(), pinned, eventId: randomUUID(), reason, previousRevision: seen?.revision, pinReason };
  }

  /** Record the revision held: history item with its violations and a pending `Datafile Held` event. */
  private async hold(rev: StoredRevision, verdict: Verdict, seen: Pointer | undefined): Promise<RecordResult> {
    const held: StoredRevision = { ...rev, held: true, violations: verdict.violations, holdEventId: randomUUID(), holdUnsettled: true };
    const recorded = await holdRevision(this.table, held);
    if (recorded && recorded.sha256 !== rev.sha256) return { moved: false, reason: 'conflict', current: seen, recorded };
    if (recorded) return { moved: false, reason: 'held', current: seen, held: recorded };
    await notePointerHeld(this.table, rev.key, rev.revision);
    return { moved: false, reason: 'held', current: seen, held };
  }

  /** Put the history item alone; the item already recorded when there was one. */
  private async putHistoryOnly(rev: StoredRevision): Promise<StoredRevision | undefined> {
    try {
      await this.table.client.send(new PutItemCommand(historyPut(this.table.name, rev).Put));
      return undefined;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return e.Item ? toRevision(e.Item) : this.getRevision(rev.key, rev.revision);
      throw storageError('record the revision in history', e);
    }
  }
}

function alreadyRecorded(rev: StoredRevision, recorded: StoredRevision, current: Pointer | undefined): RecordResult {
  if (recorded.sha256 !== rev.sha256) return { moved: false, reason: 'conflict', current, recorded };
  return { moved: false, reason: 'duplicate', current };
}

function isConflict(reasons: CancellationReason[] | undefined): boolean {
  return (reasons ?? []).some((r) => r.Code === 'TransactionConflict');
}
