import type { DiffSummary, Violation } from '../changes';

/** One stored, immutable revision of a datafile (a history item). */
export interface StoredRevision {
  key: string;
  revision: number;
  /** S3 key of the immutable bytes (content-addressed: `datafiles/{key}/revisions/{revision}-{sha256}.json`). */
  s3Key: string;
  sha256: string;
  size: number;
  projectId: string;
  environment?: string;
  /** The webhook's `timestamp` (seconds) when a webhook caused the store; absent for CLI/reconcile. */
  webhookTimestamp?: number;
  storedAt: string;
  /** Whether the key had a datafile access token (secure environment) when stored: never mirrored. */
  secure?: boolean;

  /** Why a pointer moved, as published in change events. */

  /** What changed since the previous stored revision (absent when the diff could not be made). */
  summary?: DiffSummary;
  /** Guardrails held this revision: the pointer did not move to it (until `approve`). */
  held?: boolean;
  violations?: Violation[];
  /** Stable id of the `Datafile Held` event, and whether it still has to be published. */
  holdEventId?: string;
  holdUnsettled?: boolean;
  /** When an operator approved it (moved the pointer to it past its guardrails). */
  approvedAt?: string;
}

/** Why a pointer moved, as published in change events. */
export type MoveReason = 'webhook' | 'pin' | 'unpin' | 'reconcile' | 'sync' | 'rollback' | 'approve';

/** What a move changed, as carried by its change event: one line plus counts per change kind. */
export interface MoveSummary {
  line: string;
  total: number;
  counts: DiffSummary['counts'];
}

/** A guard's verdict on moving the pointer from `seen` to a new revision. */
export interface Verdict {
  violations: Violation[];
  /** What the move would change (from `seen`). */
  summary?: MoveSummary;
}

/** The current revision of a key, what readers serve. */
export interface Pointer extends StoredRevision {
  updatedAt: string;
  /** While pinned, new revisions go to history only; the pointer stays where the pin put it. */
  pinned: boolean;
  /** Stable id of the change event announcing the last move (consumers de-duplicate on it). */
  eventId?: string;
  /** True until the last move is settled: alias copied and change event published. */
  unsettled: boolean;
  /** The revision the last move came from, and why it moved (re-published as they were). */
  previousRevision?: number;
  moveReason?: MoveReason;
  /** Why a pin holds the pointer (`pin` by an operator, `rollback: <alarm>` by an alarm). */
  pinReason?: string;
  /** Validators of the last full fetch of this key's datafile (for a conditional GET). */
  fetched?: FetchValidators;
  /** What the last move changed (absent when unknown: bytes unreadable, or a move made before diffs). */
  moveSummary?: MoveSummary;
  /** The newest revision guardrails held (may be at or below `revision` once newer went live). */
  heldRevision?: number;
  /**
   * Unsettled only: the events of earlier moves this move replaced before they were settled, oldest
   * first. Settling publishes them (original ids) before the move's own event.
   */
  owedEvents?: PointerMoved[];
}

export interface FetchValidators {
  url: string;
  etag?: string;
  lastModified?: string;
}

/** Result of recording a revision: whether the pointer moved, and if not, why. */
export type RecordResult =
  | { moved: true; pointer: Pointer; previous?: Pointer }
  | { moved: false; reason: 'duplicate' | 'older' | 'pinned'; current?: Pointer }
  /** Guardrails held the revision: stored in history (marked held), the pointer stays. */
  | { moved: false; reason: 'held'; current?: Pointer; held: StoredRevision }
  /** The revision is already recorded with other bytes: the first recorded wins. */
  | { moved: false; reason: 'conflict'; current?: Pointer; recorded: StoredRevision };

/** The bytes: immutable revision objects plus the `latest.json` alias. */
export interface DatafileStore {
  /** Write the revision's bytes at its content-addressed key (same key ⇒ same bytes, so no check). */
  putRevision(rev: StoredRevision, bytes: Buffer): Promise<void>;
  /** The bytes of a stored object; undefined when it does not exist. */
  readObject(s3Key: string): Promise<Buffer | undefined>;
  /** Make `latest.json` a copy of the pointer's revision object. */
  copyToAlias(pointer: Pointer): Promise<void>;
}

/** A key's pointer and, in the same read, one of its history items. */
export interface KeyState {
  pointer?: Pointer;
  revision?: StoredRevision;
}

/** The DynamoDB record of pointers and history. */
export interface RevisionLedger {
  getPointer(key: string): Promise<Pointer | undefined>;
  getRevision(key: string, revision: number): Promise<StoredRevision | undefined>;
  /** The pointer and the history item of `revision` in one request. */
  lookup(key: string, revision: number): Promise<KeyState>;
  /**
   * Put the history item and, in the same transaction, move the pointer forward if it is behind
   * and not pinned. A history item that already exists is a duplicate (same bytes) or a conflict
   * (other bytes), not an error. `seen` is the pointer as the caller last read it (saves a read).
   * `guard`, when given, judges every pointer the revision would move from (called again if a
   * concurrent move changes it): violations hold the revision instead of moving.
   */
  record(rev: StoredRevision, move: RecordRequest): Promise<RecordResult>;
  /** Mark the move announced by `eventId` settled; false when the pointer has moved on since. */
  settle(key: string, eventId: string): Promise<boolean>;
  /** Mark the hold of `revision` announced (its `Datafile Held` event published). */
  settleHold(key: string, revision: number, eventId: string): Promise<void>;
  /** The newest stored revision below `revision` (the base of its diff). */
  newestBelow(key: string, revision: number): Promise<StoredRevision | undefined>;
}

export interface RecordRequest {
  reason: MoveReason;
  seen?: Pointer | null;
  guard?: (seen: Pointer | undefined) => Promise<Verdict>;
}

/** Result of a pin or unpin: where the pointer is now and whether it moved. */
export interface PinResult {
  moved: boolean;
  pointer: Pointer;
  previous?: Pointer;
}

/**
 * What a move from `from` (undefined: no pointer yet) to `to` changes, for its change event;
 * undefined when it cannot be told. Asked again for each pointer a contended move re-reads.
 */
export type SummarizeMove = (from: Pointer | undefined, to: StoredRevision) => Promise<MoveSummary | undefined>;

/** Who pins and why: an operator (`pin`, the default) or an alarm's rollback (logged in history too). */
export interface PinOptions {
  /** Kept on the pointer while the pin holds, shown by `status` and `history`. Default `pin`. */
  pinReason?: string;
  /** The move's reason in its change event. Default `pin`. */
  moveReason?: Extract<MoveReason, 'pin' | 'rollback'>;
  /** Rollbacks: the alarm that caused it. The move is then also logged in history (a {@link RollbackRecord}). */
  alarmName?: string;
  /** What the pin changes, from the pointer it actually replaces; absent: no summary. */
  summarize?: SummarizeMove;
}

/** One alarm rollback as logged in history, written in the same transaction as the pin. */
export interface RollbackRecord {
  key: string;
  /** When the pointer moved (the move's `updatedAt`). */
  at: string;
  fromRevision?: number;
  toRevision: number;
  alarmName: string;
  reason: string;
  eventId: string;
}

/** Operator moves of the pointer (rollback and release of a rollback). */
export interface PinLedger extends RevisionLedger {
  /** Move the pointer to this stored revision and hold it there. */
  pin(rev: StoredRevision, options?: PinOptions): Promise<PinResult>;
  /**
   * Release the pin and move the pointer to the newest stored revision, once `verify` accepts its
   * bytes. `summarize` tells what the move changes.
   */
  unpin(key: string, verify: (rev: StoredRevision) => Promise<void>, summarize?: SummarizeMove): Promise<PinResult | undefined>;
  /**
   * Move the pointer forward to this stored revision (held or not) and mark it approved, in one
   * transaction. Refused outcomes: `pinned`, `older` (not ahead of the pointer). `summarize` tells
   * what the move changes.
   */
  approve(rev: StoredRevision, summarize?: SummarizeMove): Promise<ApproveResult>;
}

export type ApproveResult =
  | { moved: true; pointer: Pointer; previous?: Pointer }
  | { moved: false; reason: 'pinned' | 'older'; current: Pointer };

/** Every pointer (reconcile, CLI status). */
export interface PointerCatalog {
  listPointers(): AsyncIterable<Pointer>;
}

/** What reconcile keeps between runs. */
export interface ReconcileState extends PointerCatalog {
  /** The key the previous run started last (the next run starts after it). */
  readCursor(): Promise<string | undefined>;
  writeCursor(key: string): Promise<void>;
  /** Remember the validators of a full fetch (no-op when the pointer is gone). */
  saveValidators(key: string, validators: FetchValidators): Promise<void>;
}

/** The detail of one change event: one per pointer move. */
export interface PointerMoved {
  /** Stable across re-publications of the same move: de-duplicate on it. */
  eventId: string;
  key: string;
  projectId: string;
  environment?: string;
  revision: number;
  previousRevision?: number;
  s3Key: string;
  sha256: string;
  reason: MoveReason;
  movedAt: string;
  /** Rollbacks only: the pin's reason (`rollback: <alarm>`) and the alarm that caused it. */
  pinReason?: string;
  alarmName?: string;
  /** What the move changed, when known. */
  summary?: MoveSummary;
}

/** The detail of a `Datafile Held` event: guardrails kept a stored revision from going live. */
export interface DatafileHeld {
  /** Stable across re-publications of the same hold: de-duplicate on it. */
  eventId: string;
  key: string;
  projectId: string;
  environment?: string;
  revision: number;
  s3Key: string;
  sha256: string;
  violations: Violation[];
  summary?: MoveSummary;
  heldAt: string;
}

/** Any change event; a held one is told apart by its `violations`. */
export type ChangeEvent = PointerMoved | DatafileHeld;

/** Where change events go (EventBridge when deployed). May throw; callers retry and log. */
export interface ChangePublisher {
  publish(event: ChangeEvent): Promise<void>;
}
