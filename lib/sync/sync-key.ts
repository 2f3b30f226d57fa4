import type { DatafileBases } from '../config';
import { type FetchPolicy, fetchDatafile, type Sleep } from '../datafile/fetch';
import type { ChangeCheck } from './changes';
import type { Notify } from './events';
import type { DatafileStore, MoveReason, RevisionLedger } from './ports';
import { type SyncOutcome, syncDatafile } from './sync-datafile';

/** Which key to sync when no webhook names the URLs (reconcile, CLI `sync`). */
export interface KeyTarget {
  key: string;
  projectId: string;
  environment?: string;
  reason: MoveReason;
}

export interface KeySyncDeps {
  ledger: RevisionLedger;
  store: DatafileStore;
  notify?: Notify;
  bases: DatafileBases;
  policy: FetchPolicy;
  /** The key's datafile access token (secure environments), if one is configured. */
  token(projectId: string, key: string): Promise<string | undefined>;
  sleep?: Sleep;
  /** Guardrails and the SDK check (reconcile respects them like the webhook). */
  changes?: ChangeCheck;
}

/**
 * The URLs Optimizely serves a key's datafile at: a numeric (legacy) key → `/json/{id}.json`; a key
 * with an access token (secure environment) → the authenticated `/datafiles/auth/{key}.json` only;
 * otherwise origin first (fresher), then CDN.
 */
export function datafileUrls(key: string, bases: DatafileBases, secure: boolean): string[] {
  if (/^\d+$/.test(key)) return [`${bases.origin}/json/${key}.json`, `${bases.cdn}/json/${key}.json`];
  if (secure) return [`${bases.auth}/datafiles/auth/${key}.json`];
  return [`${bases.origin}/datafiles/${key}.json`, `${bases.cdn}/datafiles/${key}.json`];
}

/**
 * Fetch whatever Optimizely serves for the key now and store it through the same core path as the
 * webhook (probe mode: a revision already stored is `unchanged` and writes nothing).
 */
export async function syncKey(target: KeyTarget, deps: KeySyncDeps): Promise<SyncOutcome> {
  const token = await deps.token(target.projectId, target.key);
  const urls = datafileUrls(target.key, deps.bases, token !== undefined);
  return syncDatafile(
    { key: target.key, projectId: target.projectId, environment: target.environment, reason: target.reason },
    {
      ledger: deps.ledger,
      store: deps.store,
      notify: deps.notify,
      changes: deps.changes,
      fetch: (req) => fetchDatafile({ urls, projectId: req.projectId, minRevision: req.revision ?? 1, token }, deps.policy, deps.sleep),
    },
  );
}
