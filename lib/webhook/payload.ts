import { checkUrl, type UrlPolicy } from '../datafile/hosts';
import { RequestError } from '../errors';
import { isLegacyPath, keyFromUrl, MAX_REVISION } from '../layout';

export const DATAFILE_UPDATED = 'project.datafile_updated';

/** A validated `project.datafile_updated` webhook. */
export interface DatafileUpdate {
  projectId: string;
  timestamp: number;
  revision: number;
  environment?: string;
  originUrl: string;
  cdnUrl: string;
  /** SDK key (modern URLs) or project id (legacy `/json/{id}.json`). */
  key: string;
}

/** Parse the (already authenticated) body; `ignored` for events other than datafile updates. */
export function parsePayload(body: Buffer, policy: UrlPolicy): { ignored: string } | { update: DatafileUpdate } {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    throw new RequestError('invalid_json', 'The body is not valid JSON.');
  }
  if (!isObject(doc)) throw invalid('the body must be a JSON object');
  // JSON may escape half a surrogate pair ("\ud800"); such a string is not Unicode text, and S3
  // metadata and DynamoDB refuse it at write time, which would turn one bad body into a 503 on
  // every redelivery. Refuse it here, anywhere in the body, before anything acts on it.
  if (!wellFormed(doc)) throw invalid('a string is not well-formed Unicode (lone surrogate)');
  if (typeof doc.event !== 'string') throw invalid('"event" must be a string');
  if (doc.event !== DATAFILE_UPDATED) return { ignored: doc.event.slice(0, 100) };
  const projectId = doc.project_id;
  if (!isPositiveInteger(projectId)) throw invalid('"project_id" must be a positive integer');
  if (!isPositiveInteger(doc.timestamp)) throw invalid('"timestamp" must be a positive integer');
  const data = doc.data;
  if (!isObject(data)) throw invalid('"data" must be an object');
  // At most 12 digits: history items sort by a 12-digit zero-padded revision (lib/aws/dynamo-items.ts).
  if (!isPositiveInteger(data.revision) || data.revision > MAX_REVISION)
    throw invalid('"data.revision" must be a positive integer of at most 12 digits');
  if (data.environment !== undefined && (typeof data.environment !== 'string' || data.environment.length > 200)) {
    throw invalid('"data.environment" must be a string');
  }
  const originUrl = url(data.origin_url, 'data.origin_url', policy);
  const cdnUrl = url(data.cdn_url, 'data.cdn_url', policy);
  const key = keyFromUrl(originUrl);
  if (!key) throw invalid('"data.origin_url" is not a datafile URL (/datafiles/{key}.json or /json/{id}.json)');
  if (keyFromUrl(cdnUrl) !== key) throw invalid('"data.cdn_url" names a different datafile than "data.origin_url"');
  if (isLegacyPath(new URL(originUrl).pathname) && key !== String(projectId)) {
    throw invalid("a legacy datafile URL must name the webhook's project");
  }
  return {
    update: {
      projectId: String(projectId),
      timestamp: doc.timestamp as number,
      revision: data.revision as number,
      environment: data.environment as string | undefined,
      originUrl,
      cdnUrl,
      key,
    },
  };
}

function url(value: unknown, field: string, policy: UrlPolicy): string {
  if (typeof value !== 'string' || value.length > 2048) throw invalid(`"${field}" must be a URL string`);
  const checked = checkUrl(value, policy);
  if ('reason' in checked) throw invalid(`"${field}" is not allowed: ${checked.reason}`);
  return checked.url.href;
}

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * True when every string in the parsed JSON (keys too) is well-formed UTF-16 (no lone surrogate).
 * Iterative: a 64 KiB body can nest tens of thousands of levels deep, too deep for recursion.
 */
function wellFormed(doc: unknown): boolean {
  const pending: unknown[] = [doc];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value)) return false;
    } else if (Array.isArray(value)) {
      for (const v of value) pending.push(v);
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) pending.push(k, v);
    }
  }
  return true;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isPositiveInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
}

function invalid(detail: string): RequestError {
  return new RequestError('invalid_payload', `Invalid webhook payload: ${detail}.`);
}
