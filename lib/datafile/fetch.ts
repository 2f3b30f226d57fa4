import { createHash } from 'node:crypto';
import { DatafileError, DatafileSyncError } from '../errors';
import { GetFailure, type GetPolicy, guardedGet, redactUrl } from './http-get';
import { validateDatafile } from './validate';

export interface FetchPolicy extends GetPolicy {
  /** Total time for all attempts; must end well before API Gateway's 29 s. */
  budgetMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface FetchRequest {
  /** Tried in order each round: origin first (fresher), then CDN. */
  urls: readonly string[];
  projectId: string;
  /** The webhook's revision: anything lower is stale (CDN lag) and retried. */
  minRevision: number;
  token?: string;
}

export interface FetchedDatafile {
  bytes: Buffer;
  sha256: string;
  revision: number;
  url: string;
}

export type Sleep = (ms: number) => Promise<void>;
const realSleep: Sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Fetch and validate the datafile, retrying 5xx, timeouts, broken bodies and stale content with
 * exponential backoff and full jitter until the budget runs out. A URL that answered with a
 * non-retryable failure (refused host, 4xx, too large, invalid datafile) is not asked again.
 */
export async function fetchDatafile(req: FetchRequest, policy: FetchPolicy, sleep: Sleep = realSleep): Promise<FetchedDatafile> {
  const deadline = Date.now() + policy.budgetMs;
  const headers: Record<string, string> = req.token ? { authorization: `Bearer ${req.token}` } : {};
  let pending = [...req.urls];
  let staleRevision: number | undefined;
  let invalid: DatafileSyncError | undefined;
  let lastFailure = 'no URL to fetch';
  for (let round = 0; pending.length > 0; round++) {
    for (const url of [...pending]) {
      if (Date.now() >= deadline) break;
      try {
        const got = await guardedGet(url, headers, policy, deadline);
        const info = validateDatafile(got.bytes, req.projectId);
        if (info.revision >= req.minRevision) {
          const sha256 = createHash('sha256').update(got.bytes).digest('hex');
          return { bytes: got.bytes, sha256, revision: info.revision, url: got.url };
        }
        staleRevision = Math.max(staleRevision ?? 0, info.revision);
      } catch (e) {
        if (e instanceof DatafileSyncError) {
          invalid = e;
          pending = pending.filter((u) => u !== url);
        } else if (e instanceof GetFailure) {
          lastFailure = `${redactUrl(url)}: ${e.message}`;
          if (!e.retryable) pending = pending.filter((u) => u !== url);
        } else {
          throw e;
        }
      }
    }
    const delay = Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** round);
    if (pending.length === 0 || Date.now() + delay >= deadline) break;
    await sleep(delay);
  }
  if (staleRevision !== undefined) {
    throw new DatafileError(
      'stale_datafile',
      `Optimizely still serves revision ${staleRevision}, older than the webhook's ${req.minRevision}; retry later.`,
    );
  }
  if (invalid) throw invalid;
  throw new DatafileError('datafile_fetch_failed', `Could not fetch the datafile (${lastFailure}).`);
}
