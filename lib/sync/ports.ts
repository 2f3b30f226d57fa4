/** One stored, immutable revision of a datafile (a history item). */
export interface StoredRevision {
  key: string;
  revision: number;
  /** S3 key of the immutable bytes: `datafiles/{key}/revisions/{revision}.json`. */
  s3Key: string;
  sha256: string;
  size: number;
  projectId: string;
  environment?: string;
  /** The webhook's `timestamp` (seconds) when a webhook caused the store; absent for CLI/reconcile. */
  webhookTimestamp?: number;
  storedAt: string;
}

/** The current revision of a key, what readers serve. */
export interface Pointer extends StoredRevision {
  updatedAt: string;
  /** While pinned, new revisions go to history only; the pointer stays where the pin put it. */
  pinned: boolean;
}

/** Result of recording a revision: whether the pointer moved, and if not, why. */
export type RecordResult =
  | { moved: true; pointer: Pointer; previous?: Pointer }
  | { moved: false; reason: 'duplicate' | 'older' | 'pinned'; current?: Pointer };

/** The bytes: immutable revision objects plus the `latest.json` alias. */
export interface DatafileStore {
  /** Write the revision's bytes; a no-op when an object with the same sha256 is already there. */
  putRevision(rev: StoredRevision, bytes: Buffer): Promise<void>;
  /** sha256 and revision the alias currently carries (from its metadata), if it exists. */
  aliasState(key: string): Promise<{ sha256?: string; revision?: number } | undefined>;
  /** Make `latest.json` a copy of the pointer's revision object. */
  copyToAlias(pointer: Pointer): Promise<void>;
}

/** The DynamoDB record of pointers and history. */
export interface RevisionLedger {
  getPointer(key: string): Promise<Pointer | undefined>;
  getRevision(key: string, revision: number): Promise<StoredRevision | undefined>;
  /**
   * Put the history item and, in the same transaction, move the pointer forward if it is behind
   * and not pinned. A history item that already exists is a duplicate, not an error.
   */
  record(rev: StoredRevision): Promise<RecordResult>;
}

/** Result of a pin or unpin: where the pointer is now and whether it moved. */
export interface PinResult {
  moved: boolean;
  pointer: Pointer;
  previous?: Pointer;
}

/** Operator moves of the pointer (rollback and release of a rollback). */
export interface PinLedger extends RevisionLedger {
  /** Move the pointer to a stored revision and hold it there. Undefined when the revision is not stored. */
  pin(key: string, revision: number): Promise<PinResult | undefined>;
  /** Release the pin and move the pointer to the newest stored revision. Undefined when the key is unknown. */
  unpin(key: string): Promise<PinResult | undefined>;
}

/** Every pointer (reconcile, CLI status). */
export interface PointerCatalog {
  listPointers(): AsyncIterable<Pointer>;
}

/** Why a pointer moved, as published in change events. */
export type MoveReason = 'webhook' | 'pin' | 'unpin' | 'reconcile' | 'sync';

/** The detail of one change event: one per pointer move. */
export interface PointerMoved {
  key: string;
  projectId: string;
  environment?: string;
  revision: number;
  previousRevision?: number;
  s3Key: string;
  sha256: string;
  reason: MoveReason;
}

/** Where change events go (EventBridge when deployed). May throw; callers retry and log. */
export interface ChangePublisher {
  publish(event: PointerMoved): Promise<void>;
}
