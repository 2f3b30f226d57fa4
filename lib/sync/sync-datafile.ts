import type { FetchedDatafile } from '../datafile/fetch';
import { type MirrorDeps, settleMirror } from '../mirror/publish';
import { convergeAlias, settlePointer } from './alias';
import type { Notify } from './events';
import type { DatafileStore, MoveReason, Pointer, RecordResult, RevisionLedger, StoredRevision } from './ports';

/** What a sync did, as the stable `status` a webhook answers with. */
export type SyncStatus = 'updated' | 'unchanged' | 'superseded' | 'pinned';

export interface SyncOutcome {
  status: SyncStatus;
  key: string;
  /** The revision this sync stored or found stored. */
  revision: number;
  /** Where the pointer is now. */
  current?: number;
  /** Where the pointer was, when this sync moved it. */
  previous?: number;
  /** The pointer after the move (for change events). */
  pointer?: Pointer;
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
  /** Announce a pointer move (never throws); absent = no change events. */
  notify?: Notify;
  now?: () => Date;
}

export function revisionS3Key(key: string, revision: number): string {
  return `datafiles/${key}/revisions/${revision}.json`;
}

export function aliasS3Key(key: string): string {
  return `datafiles/${key}/latest.json`;
}

/**
 * The use case behind the webhook, the CLI's `sync` and reconcile: make sure the announced
 * revision (or the newer one actually served) is stored, and the pointer and alias reflect it.
 * Order matters: immutable S3 object first, DynamoDB transaction second, alias last, so a reader
 * can never see a pointer to bytes that do not exist.
 */
export async function syncDatafile(request: SyncRequest, deps: SyncDeps): Promise<SyncOutcome> {
  const { ledger, store } = deps;
  // A revision already in history is a duplicate delivery: no fetch, no write; only repair the
  // alias in case an earlier attempt stopped before converging it.
  if (request.revision !== undefined) {
    const known = await ledger.getRevision(request.key, request.revision);
    if (known) return duplicate(request.key, known.revision, deps);
  }

  const fetched = await deps.fetch(request);
  if (fetched.revision !== request.revision && (await ledger.getRevision(request.key, fetched.revision))) {
    return duplicate(request.key, fetched.revision, deps);
  }
  const rev: StoredRevision = {
    key: request.key,
    revision: fetched.revision,
    s3Key: revisionS3Key(request.key, fetched.revision),
    sha256: fetched.sha256,
    size: fetched.bytes.length,
    projectId: request.projectId,
    environment: request.environment,
    webhookTimestamp: request.webhookTimestamp,
    storedAt: (deps.now?.() ?? new Date()).toISOString(),
  };
  await store.putRevision(rev, fetched.bytes);
  const result = await ledger.record(rev);
  const pointer = await settlePointer(request.key, result, request.reason ?? 'webhook', deps);
  return outcome(rev.revision, request.key, result, pointer);
}

async function duplicate(key: string, revision: number, deps: SyncDeps): Promise<SyncOutcome> {
  const pointer = await convergeAlias(key, deps.ledger, deps.store);
  // A redelivery after a failed mirror copy must repair it, as it repairs the alias.
  await settleMirror(key, pointer, deps);
  return outcome(revision, key, { moved: false, reason: 'duplicate', current: pointer }, pointer);
}

function outcome(revision: number, key: string, result: RecordResult, pointer: Pointer | undefined): SyncOutcome {
  const current = pointer?.revision;
  if (result.moved) return { status: 'updated', key, revision, current, previous: result.previous?.revision, pointer: result.pointer };
  if (result.reason === 'pinned' || (pointer?.pinned && revision !== current)) return { status: 'pinned', key, revision, current };
  if (revision === current) return { status: 'unchanged', key, revision, current };
  return { status: 'superseded', key, revision, current };
}
