import {
  type AttributeValue,
  type CancellationReason,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { StorageError, storageError } from '../errors';
import type { PinLedger, PinResult, Pointer, PointerCatalog, RecordResult, StoredRevision } from '../sync/ports';
import { listHistory, scanPointers } from './dynamo-history';
import { POINTER_SK, revisionSk, toPointer, toRevision } from './dynamo-items';
import { pinPointer, unpinPointer } from './dynamo-pin';
import { historyPut, pointerMove } from './dynamo-writes';

export interface DynamoLedgerOptions {
  table: string;
  client?: DynamoDBClient;
  /** Attempts when a transaction loses a conflict or a race on the pointer. */
  maxAttempts?: number;
  now?: () => Date;
}

/** RevisionLedger on one DynamoDB table (layout in dynamo-items.ts). */
export class DynamoLedger implements PinLedger, PointerCatalog {
  readonly client: DynamoDBClient;
  readonly table: string;
  private readonly maxAttempts: number;
  private readonly now: () => Date;

  constructor(options: DynamoLedgerOptions) {
    this.client = options.client ?? new DynamoDBClient({});
    this.table = options.table;
    this.maxAttempts = options.maxAttempts ?? 25;
    this.now = options.now ?? (() => new Date());
  }

  async getPointer(key: string): Promise<Pointer | undefined> {
    const item = await this.get(key, POINTER_SK);
    return item ? toPointer(item) : undefined;
  }

  async getRevision(key: string, revision: number): Promise<StoredRevision | undefined> {
    const item = await this.get(key, revisionSk(revision));
    return item ? toRevision(item) : undefined;
  }

  pin(key: string, revision: number): Promise<PinResult | undefined> {
    return pinPointer(this, key, revision, this.now);
  }

  unpin(key: string): Promise<PinResult | undefined> {
    return unpinPointer(this, key, this.now);
  }

  listPointers(): AsyncIterable<Pointer> {
    return scanPointers(this.client, this.table);
  }

  /** Every stored revision of the key, oldest first. */
  history(key: string): Promise<StoredRevision[]> {
    return listHistory(this.client, this.table, key);
  }

  /**
   * One transaction: put the history item (only if absent) and move the pointer to it.
   * Optimistic on the pointer: the condition names the exact pointer revision we read, so when a
   * concurrent delivery moved it first we learn that from the cancellation (ALL_OLD), re-decide,
   * and try again — and `previous` in the result is exactly the revision we replaced.
   * Outcomes, not errors: history exists → duplicate; pointer ahead → older; pinned → pinned.
   * An older or pinned-out revision still lands in history, by a second, plain conditional put.
   */
  async record(rev: StoredRevision): Promise<RecordResult> {
    let seen = await this.getPointer(rev.key);
    let inHistory = false;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (seen && (seen.pinned || seen.revision >= rev.revision)) {
        if (!inHistory && !(await this.putHistoryOnly(rev))) return { moved: false, reason: 'duplicate', current: seen };
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
      const updatedAt = this.now().toISOString();
      if (inHistory) {
        // Our history item is already written (and immutable): only the pointer moves. A plain
        // conditional UpdateItem, so the function needs no dynamodb:ConditionCheckItem permission.
        const moved = await this.movePointerOnly(rev, seen, updatedAt);
        if (moved === true) return { moved: true, previous: seen, pointer: { ...rev, updatedAt, pinned: false } };
        seen = moved;
        continue;
      }
      try {
        await this.client.send(
          new TransactWriteItemsCommand({ TransactItems: [historyPut(this.table, rev), pointerMove(this.table, rev, seen, updatedAt)] }),
        );
        return { moved: true, previous: seen, pointer: { ...rev, updatedAt, pinned: false } };
      } catch (e) {
        if (!(e instanceof TransactionCanceledException)) throw storageError('record the revision', e);
        const [history, pointer] = e.CancellationReasons ?? [];
        if (history?.Code === 'ConditionalCheckFailed') return { moved: false, reason: 'duplicate', current: seen };
        if (pointer?.Code === 'ConditionalCheckFailed') {
          seen = pointer.Item ? toPointer(pointer.Item) : await this.getPointer(rev.key);
          continue;
        }
        if (!isConflict(e.CancellationReasons)) throw storageError('record the revision', e);
        await jitter(attempt);
      }
    }
    throw new StorageError(`Could not record revision ${rev.revision} of ${rev.key}: too much contention.`);
  }

  /** true when the pointer moved from `seen` to `rev`; otherwise the pointer as it is now. */
  private async movePointerOnly(rev: StoredRevision, seen: Pointer | undefined, updatedAt: string): Promise<true | Pointer | undefined> {
    try {
      await this.client.send(new UpdateItemCommand(pointerMove(this.table, rev, seen, updatedAt).Update));
      return true;
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw storageError('move the pointer', e);
      return e.Item ? toPointer(e.Item) : this.getPointer(rev.key);
    }
  }

  /** Put the history item alone; false when it already existed. */
  private async putHistoryOnly(rev: StoredRevision): Promise<boolean> {
    try {
      await this.client.send(new PutItemCommand(historyPut(this.table, rev).Put));
      return true;
    } catch (e) {
      if ((e as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw storageError('record the revision in history', e);
    }
  }

  private async get(key: string, sk: string): Promise<Record<string, AttributeValue> | undefined> {
    try {
      const out = await this.client.send(
        new GetItemCommand({ TableName: this.table, Key: { pk: { S: key }, sk: { S: sk } }, ConsistentRead: true }),
      );
      return out.Item;
    } catch (e) {
      throw storageError('read the ledger', e);
    }
  }
}

function isConflict(reasons: CancellationReason[] | undefined): boolean {
  return (reasons ?? []).some((r) => r.Code === 'TransactionConflict');
}

function jitter(attempt: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.random() * Math.min(1000, 20 * 2 ** attempt)));
}
