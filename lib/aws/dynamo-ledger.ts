import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from '../log';
import { owedAfter } from '../sync/owed';
import type {
  ApproveResult,
  FetchValidators,
  KeyState,
  MoveReason,
  PinLedger,
  PinOptions,
  PinResult,
  Pointer,
  ReconcileState,
  RecordRequest,
  RecordResult,
  RollbackRecord,
  StoredRevision,
  SummarizeMove,
} from '../sync/ports';
import { approveRevision, settleHold } from './dynamo-hold';
import type { Move } from './dynamo-items';
import { pinPointer, unpinPointer } from './dynamo-pin';
import { getPointer, getRevision, listHeld, listHistory, listPointers, listRollbacks, lookup, newestBelow } from './dynamo-reads';
import { readCursor, saveValidators, writeCursor } from './dynamo-reconcile';
import { recordRevision, settleMove } from './dynamo-record';
import { Table } from './table';

export interface DynamoLedgerOptions {
  table: string;
  client: DynamoDBClient;
  /** Attempts when a transaction loses a conflict or a race on the pointer. */
  maxAttempts?: number;
  now?: () => Date;
  /** Warns when a pointer owes more superseded moves' events than it can carry (lib/sync/owed.ts). */
  logger?: Pick<Logger, 'warn'>;
}

/**
 * RevisionLedger on one DynamoDB table (layout in lib/layout.ts): a façade over one `Table` handle.
 * The write path of a new revision is in dynamo-record.ts, pins in dynamo-pin.ts, holds and
 * approvals in dynamo-hold.ts, reads in dynamo-reads.ts, reconcile's state in dynamo-reconcile.ts.
 */
export class DynamoLedger implements PinLedger, ReconcileState {
  readonly table: Table;
  private readonly maxAttempts: number;
  private readonly now: () => Date;
  private readonly logger?: Pick<Logger, 'warn'>;

  constructor(options: DynamoLedgerOptions) {
    this.table = new Table(options.client, options.table);
    this.maxAttempts = options.maxAttempts ?? 25;
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger;
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

  approve(rev: StoredRevision, summarize?: SummarizeMove): Promise<ApproveResult> {
    return approveRevision(this.table, rev, this.move.bind(this), summarize);
  }

  settleHold(key: string, revision: number, eventId: string): Promise<void> {
    return settleHold(this.table, key, revision, eventId);
  }

  pin(rev: StoredRevision, options?: PinOptions): Promise<PinResult> {
    return pinPointer(this.table, rev, this.move.bind(this), options);
  }

  unpin(key: string, verify: (rev: StoredRevision) => Promise<void>, summarize?: SummarizeMove): Promise<PinResult | undefined> {
    return unpinPointer(this.table, key, verify, this.move.bind(this), summarize);
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

  /** One transaction: history item + pointer move, guarded (see lib/aws/dynamo-record.ts). */
  record(rev: StoredRevision, request: RecordRequest): Promise<RecordResult> {
    return recordRevision(this.table, rev, request, { move: this.move.bind(this), maxAttempts: this.maxAttempts });
  }

  /** Clear the "unsettled" mark of the move announced by `eventId` (false: the pointer moved on). */
  settle(key: string, eventId: string): Promise<boolean> {
    return settleMove(this.table, key, eventId);
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

  /**
   * The attributes of a new move from `seen`: a fresh event id, born unsettled, carrying the events
   * `seen` still owes (its own too, if unsettled). Every move (record, pin, unpin, approve, rollback)
   * is built here, from the very pointer its write is conditioned on.
   */
  private move(reason: MoveReason, seen: Pointer | undefined, pinned: boolean, pinReason?: string): Move {
    const owed = owedAfter(seen, this.logger);
    return {
      updatedAt: this.now().toISOString(),
      pinned,
      eventId: randomUUID(),
      reason,
      previousRevision: seen?.revision,
      pinReason,
      ...(owed.length > 0 ? { owed } : {}),
    };
  }
}
