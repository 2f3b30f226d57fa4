import type { Violation } from '../changes';
import type { FetchedDatafile } from '../datafile/fetch';
import { DatafileError, describeError } from '../errors';
import { revisionObjectKey } from '../layout';
import type { Logger } from '../log';
import { dropSecureCopy, type MirrorDeps } from '../mirror/publish';
import { type ChangeCheck, type PreparedChanges, prepareChanges } from './changes';
import type { Notify } from './events';
import { isHeld, settleHold, violationsOf } from './hold';
import type { DatafileStore, MoveReason, Pointer, RecordResult, RevisionLedger, StoredRevision } from './ports';
import { settlePointer } from './settle';

/** What a sync did, as the stable `status` a webhook answers with. */
export type SyncStatus = 'updated' | 'unchanged' | 'superseded' | 'pinned' | 'held';

export interface SyncOutcome {
  status: SyncStatus;
  key: string;
  /** The revision this sync stored or found stored. */
  revision: number;
  /** Where the pointer is now. */
  current?: number;
  /** Where the pointer was, when this sync moved it. */
  previous?: number;
  /** The pointer after this sync. */
  pointer?: Pointer;
  /** Time spent fetching and the bytes fetched, when this sync fetched. */
  fetchMs?: number;
  bytes?: number;
  /** A conditional fetch answered 304: nothing was downloaded. */
  notModified?: boolean;
  /** Why guardrails hold the revision (status `held`). */
  violations?: Violation[];
}

export interface SyncRequest {
  key: string;
  projectId: string;
  environment?: string;
  /**
   * The revision the trigger announced; the fetch must return at least this. Absent = probe
   * (reconcile, CLI `sync`): always fetch, and treat a fetched revision already stored as unchanged.
   */
  revision?: number;
  webhookTimestamp?: number;
  /** Why this sync runs, carried by the change event when the pointer moves (default `webhook`). */
  reason?: MoveReason;
}

export interface SyncDeps extends MirrorDeps {
  ledger: RevisionLedger;
  store: DatafileStore;
  /** Fetch the datafile for the request (origin → CDN, validated, at least `revision`). */
  fetch(request: SyncRequest): Promise<FetchedDatafile>;
  /** Announce a pointer move or a hold (never throws); absent = no change events. */
  notify?: Notify;
  /** Guardrails, SDK check and datafile cache; absent = diff only, nothing held. */
  changes?: ChangeCheck;
  logger?: Logger;
  now?: () => Date;
  /**
   * How long a move may stay unsettled before someone other than its mover finishes it (default
   * 30 s): the mover itself settles within milliseconds, so finding a younger unsettled move means
   * it is in progress, and finishing it too would only publish its event twice.
   */
  settleGraceMs?: number;
}

type SettleIfAbandonedDeps = Pick<SyncDeps, 'ledger' | 'store' | 'notify' | 'now' | 'settleGraceMs' | 'mirror' | 'secure'>;

/** Finish a move its mover abandoned (crash, timeout); leave one in progress alone. */
export async function settleIfAbandoned(pointer: Pointer, deps: SettleIfAbandonedDeps): Promise<Pointer | undefined> {
  if (!abandoned(pointer, deps)) return pointer;
  return settlePointer(pointer.key, pointer, deps);
}

function abandoned(pointer: Pointer, deps: Pick<SyncDeps, 'now' | 'settleGraceMs'>): boolean {
  if (!pointer.unsettled) return false;
  const age = (deps.now?.() ?? new Date()).getTime() - Date.parse(pointer.updatedAt);
  return age >= (deps.settleGraceMs ?? DEFAULT_SETTLE_GRACE_MS);
}

/**
 * A sync that does not move the pointer: finish the move it finds if that was abandoned (the settle
 * takes the mirror along), else drop the mirror copy of a key the caller knows is secure, so a key
 * that gained an access token loses its copy on its next delivery or reconcile run, not its next move.
 */
async function settleUnmoved(key: string, pointer: Pointer | undefined, deps: SyncDeps): Promise<Pointer | undefined> {
  if (pointer && abandoned(pointer, deps)) return settlePointer(key, pointer, deps);
  await dropSecureCopy(key, deps);
  return pointer;
}

export const DEFAULT_SETTLE_GRACE_MS = 30_000;

/**
 * The use case behind the webhook, the CLI's `sync` and reconcile: make sure the announced
 * revision (or the newer one actually served) is stored, and the pointer and alias reflect it.
 * Order matters: immutable S3 object first, DynamoDB transaction second, alias last, so a reader
 * can never see a pointer to bytes that do not exist. Five AWS requests for a new revision:
 * BatchGetItem, PutObject, TransactWriteItems, CopyObject (alias), UpdateItem (settle) — the diff
 * base comes from the container's cache when it holds the live revision. A revision that breaks a
 * guardrail is stored and held: history item marked, pointer unmoved, `Datafile Held` announced.
 */
export async function syncDatafile(request: SyncRequest, deps: SyncDeps): Promise<SyncOutcome> {
  const { ledger, store } = deps;
  let seen: Pointer | null | undefined;
  // A revision already in history is a duplicate delivery: no fetch, no write; only finish an
  // earlier attempt's move if it stopped before settling (alias, change event).
  if (request.revision !== undefined) {
    const state = await ledger.lookup(request.key, request.revision);
    if (state.revision) return duplicate(request.key, state.revision, state.pointer, deps);
    seen = state.pointer ?? null;
  }

  const started = Date.now();
  const fetched = await deps.fetch(request);
  const fetchMs = Date.now() - started;
  if (fetched.revision !== request.revision) {
    // Probe mode, or Optimizely already serves a newer revision than announced: it may be stored.
    const state = await ledger.lookup(request.key, fetched.revision);
    if (state.revision) {
      if (state.revision.sha256 !== fetched.sha256) throw conflict(request.key, state.revision, fetched.sha256, deps.logger);
      return { ...(await duplicate(request.key, state.revision, state.pointer, deps)), fetchMs, bytes: fetched.bytes.length };
    }
    seen = state.pointer ?? null;
  }
  const rev: StoredRevision = {
    key: request.key,
    revision: fetched.revision,
    s3Key: revisionObjectKey(request.key, fetched.revision, fetched.sha256),
    sha256: fetched.sha256,
    size: fetched.bytes.length,
    projectId: request.projectId,
    environment: request.environment,
    webhookTimestamp: request.webhookTimestamp,
    storedAt: (deps.now?.() ?? new Date()).toISOString(),
    ...(deps.secure ? { secure: deps.secure(request.key) } : {}),
  };
  // The diff and the SDK check are CPU and reads; they run while the object is written. Neither
  // needs the other, and both finish before the transaction that makes the revision reachable.
  const [, changes] = await Promise.all([store.putRevision(rev, fetched.bytes), prepare(rev, fetched, seen ?? undefined, deps)]);
  if (changes?.summary) rev.summary = changes.summary;
  const result = await ledger.record(rev, { reason: request.reason ?? 'webhook', seen, guard: changes?.guard });
  if (!result.moved && result.reason === 'conflict') throw conflict(request.key, result.recorded, rev.sha256, deps.logger);
  if (!result.moved && result.reason === 'held') {
    await dropSecureCopy(request.key, deps);
    const outcome = await held(result.held, result.current, deps);
    return { ...outcome, fetchMs, bytes: rev.size };
  }
  const pointer = result.moved ? result.pointer : result.current;
  // Settle only our own move. A pointer some racer just moved is that racer's to settle (or, if it
  // dies, the next redelivery's or reconcile's, via the lookup above): settling it here too would
  // publish its change event once per racer.
  let settled = pointer;
  if (result.moved && pointer?.unsettled) settled = await settlePointer(request.key, pointer, deps);
  else await dropSecureCopy(request.key, deps);
  return { ...outcome(rev.revision, request.key, result, settled), fetchMs, bytes: rev.size };
}

async function duplicate(key: string, stored: StoredRevision, pointer: Pointer | undefined, deps: SyncDeps): Promise<SyncOutcome> {
  const settled = await settleUnmoved(key, pointer, deps);
  if (isHeld(stored) && stored.revision !== settled?.revision) return held(stored, settled, deps);
  return outcome(stored.revision, key, { moved: false, reason: 'duplicate', current: settled }, settled);
}

/** A held revision: announce the hold (if not yet) and answer `held` with its violations. */
async function held(rev: StoredRevision, pointer: Pointer | undefined, deps: SyncDeps): Promise<SyncOutcome> {
  await settleHold(rev, deps);
  const violations = violationsOf(rev);
  deps.logger?.info('revision held', {
    key: rev.key,
    revision: rev.revision,
    current: pointer?.revision,
    rules: violations.map((v) => v.rule),
  });
  return { status: 'held', key: rev.key, revision: rev.revision, current: pointer?.revision, pointer, violations };
}

/** Diff and guard for a new revision; a failure here is logged and never stops the revision being stored. */
async function prepare(
  rev: StoredRevision,
  fetched: FetchedDatafile,
  seen: Pointer | undefined,
  deps: SyncDeps,
): Promise<PreparedChanges | undefined> {
  try {
    return await prepareChanges(rev, fetched, seen, deps.changes, deps);
  } catch (error) {
    deps.logger?.error('change check failed', { key: rev.key, revision: rev.revision, error: describeError(error) });
    return undefined;
  }
}

/**
 * The first bytes recorded for a revision win. Another body under the same revision is refused
 * (409): its object sits under its own content address, and nothing a reader can reach names it.
 */
function conflict(key: string, recorded: StoredRevision, sha256: string, logger: Logger | undefined): DatafileError {
  logger?.warn('revision conflict', { key, revision: recorded.revision, recordedSha256: recorded.sha256, fetchedSha256: sha256 });
  return new DatafileError(
    'revision_conflict',
    `Revision ${recorded.revision} of ${key} is already stored with other bytes (sha256 ${recorded.sha256.slice(0, 12)}…); the first stored wins.`,
  );
}

function outcome(revision: number, key: string, result: RecordResult, pointer: Pointer | undefined): SyncOutcome {
  const current = pointer?.revision;
  if (result.moved) return { status: 'updated', key, revision, current, previous: result.previous?.revision, pointer };
  if (result.reason === 'pinned' || (pointer?.pinned && revision !== current)) return { status: 'pinned', key, revision, current, pointer };
  if (revision === current) return { status: 'unchanged', key, revision, current, pointer };
  return { status: 'superseded', key, revision, current, pointer };
}
