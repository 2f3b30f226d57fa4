import type { DatafileBases } from '../config';
import { type FetchPolicy, fetchDatafile, type Sleep } from '../datafile/fetch';
import { datafileUrls } from '../layout';
import type { Logger } from '../log';
import { dropSecureCopy, type MirrorDeps } from '../mirror/publish';
import type { ChangeCheck } from './changes';
import type { Notify } from './events';
import type { DatafileStore, MoveReason, Pointer, ReconcileState, RevisionLedger } from './ports';
import { type SyncOutcome, settleIfAbandoned, syncDatafile } from './sync-datafile';

/** Which key to sync when no webhook names the URLs (reconcile, CLI `sync`). */
export interface KeyTarget {
  key: string;
  projectId: string;
  environment?: string;
  reason: MoveReason;
  /** The pointer as listed (reconcile): its fetch validators make the fetch conditional. */
  pointer?: Pointer;
}

export interface KeySyncDeps extends Pick<MirrorDeps, 'mirror'> {
  ledger: RevisionLedger & Partial<Pick<ReconcileState, 'saveValidators'>>;
  store: DatafileStore;
  notify?: Notify;
  logger?: Logger;
  bases: DatafileBases;
  policy: FetchPolicy;
  /** The key's datafile access token (secure environments), if one is configured. */
  token(projectId: string, key: string): Promise<string | undefined>;
  sleep?: Sleep;
  now?: () => Date;
  settleGraceMs?: number;
  /** Guardrails and the SDK check (reconcile respects them like the webhook). */
  changes?: ChangeCheck;
}

/**
 * Fetch whatever Optimizely serves for the key now and store it through the same core path as the
 * webhook (probe mode: a revision already stored is `unchanged` and writes nothing). With the
 * validators of the last full fetch the request is conditional: an unchanged datafile answers a
 * bodiless 304 and costs no write. A move a crashed delivery left unsettled is finished first.
 */
export async function syncKey(target: KeyTarget, deps: KeySyncDeps): Promise<SyncOutcome> {
  // The token first: whether the key is secure now decides its mirror copy, in every path below.
  const token = await deps.token(target.projectId, target.key);
  const secure = () => token !== undefined;
  const pointer = target.pointer ? await settleIfAbandoned(target.pointer, { ...deps, secure }) : undefined;
  const urls = datafileUrls(target.key, deps.bases, token !== undefined);
  const conditional = pointer?.fetched && urls.includes(pointer.fetched.url) ? pointer.fetched : undefined;
  const fetched = await fetchDatafile({ urls, projectId: target.projectId, minRevision: 1, token, conditional }, deps.policy, deps.sleep);
  if ('notModified' in fetched && pointer) {
    await dropSecureCopy(target.key, { ...deps, secure });
    return { status: 'unchanged', key: target.key, revision: pointer.revision, current: pointer.revision, pointer, notModified: true };
  }
  if ('notModified' in fetched) throw new Error('a 304 without validators'); // cannot happen: no validators were sent
  const outcome = await syncDatafile(
    { key: target.key, projectId: target.projectId, environment: target.environment, reason: target.reason },
    { ...deps, secure, fetch: async () => fetched },
  );
  const v = fetched.validators;
  const known = pointer?.fetched;
  if (deps.ledger.saveValidators && (v?.etag || v?.lastModified)) {
    const same = known?.url === fetched.url && known.etag === v.etag && known.lastModified === v.lastModified;
    if (!same) await deps.ledger.saveValidators(target.key, { url: fetched.url, ...v });
  }
  return outcome;
}
