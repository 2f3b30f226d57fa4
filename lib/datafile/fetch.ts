import { createHash } from 'node:crypto';
import { type BackoffPolicy, backoffDelay, sleep as realSleep, type Sleep } from '../backoff';
import { DatafileError, DatafileSyncError } from '../errors';
import { GetFailure, type GetPolicy, guardedGet, redactUrl, type Validators } from './http-get';
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
  /**
   * Validators from the last full fetch of one of the URLs: that URL is asked conditionally
   * (If-None-Match / If-Modified-Since), so an unchanged datafile costs a bodiless 304.
   */
  conditional?: { url: string } & Validators;
}

export interface FetchedDatafile {
  bytes: Buffer;
  sha256: string;
  revision: number;
  url: string;
  /** The response's validators, for the next conditional fetch. */
  validators?: Validators;
  /**
   * The bytes as validation decoded and parsed them, shared so a large datafile is decoded and
   * parsed once (the diff reads the document, the SDK check builds from the text). Treat the
   * document as read-only, and never hand it to the SDK, which annotates the objects it is given.
   */
  text?: string;
  document?: Record<string, unknown>;
}

/** The conditional fetch's answer when the URL still serves what the validators name. */
export interface NotModified {
  notModified: true;
  url: string;
}

export type { Sleep } from '../backoff';

/**
 * Fetch and validate the datafile, retrying 5xx, timeouts, broken bodies and stale content with
 * exponential backoff and full jitter until the budget runs out. A URL that answered with a
 * non-retryable failure (refused host, 4xx, too large, invalid datafile) is not asked again.
 */
export async function fetchDatafile(
  req: FetchRequest & { conditional?: undefined },
  policy: FetchPolicy,
  sleep?: Sleep,
): Promise<FetchedDatafile>;
export async function fetchDatafile(req: FetchRequest, policy: FetchPolicy, sleep?: Sleep): Promise<FetchedDatafile | NotModified>;
export async function fetchDatafile(
  req: FetchRequest,
  policy: FetchPolicy,
  sleep: Sleep = realSleep,
): Promise<FetchedDatafile | NotModified> {
  const backoff: BackoffPolicy = { baseMs: policy.baseDelayMs, maxMs: policy.maxDelayMs };
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
        const got = await guardedGet(url, { ...headers, ...conditionalHeaders(req, url) }, policy, deadline);
        if ('notModified' in got) return { notModified: true, url };
        const info = validateDatafile(got.bytes, req.projectId);
        if (info.revision >= req.minRevision) {
          const sha256 = createHash('sha256').update(got.bytes).digest('hex');
          return {
            bytes: got.bytes,
            sha256,
            revision: info.revision,
            url,
            validators: got.validators,
            text: info.text,
            document: info.document,
          };
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
    const delay = backoffDelay(round, backoff);
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

function conditionalHeaders(req: FetchRequest, url: string): Record<string, string> {
  const c = req.conditional;
  if (!c || c.url !== url) return {};
  const out: Record<string, string> = {};
  if (c.etag) out['if-none-match'] = c.etag;
  if (c.lastModified) out['if-modified-since'] = c.lastModified;
  return out;
}
