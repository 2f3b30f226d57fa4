import { notModified } from './conditional';

/**
 * The SDK mirror's HTTP answer for `GET /datafiles/{sdkKey}.json`, decided from plain values: the
 * request's method and headers and the facts of the mirror object (its bytes, the sha256 and the
 * time the pointer moved). The local route and the tests use it; CloudFront plays this part when
 * deployed (see docs/mirror.md for what differs there). Which key a path names is layout's
 * `keyFromDatafilePath`.
 */

/** What the mirror knows about the copy it serves for one key. */
export interface MirrorObject {
  body: Buffer;
  /** Hex sha256 of `body`: the ETag is derived from it. */
  sha256: string;
  revision: number;
  /**
   * The Last-Modified date (ISO 8601): when the pointer moved, in whole seconds, and later than the
   * previous copy's by at least one second (see S3Mirror) so If-Modified-Since can tell them apart.
   */
  lastModified: string;
}

export interface MirrorRequest {
  method: string;
  /** Request headers, names lower-cased. */
  headers: Readonly<Record<string, string | undefined>>;
}

export interface MirrorResponse {
  statusCode: number;
  headers: Record<string, string>;
  /** Absent for 304, HEAD and 405. */
  body?: Buffer;
}

export interface MirrorOptions {
  /** `Cache-Control: max-age` of datafile answers, in seconds. */
  maxAgeSeconds: number;
}

/** The strong ETag of the mirror object: its sha256, quoted. */
export function mirrorEtag(sha256: string): string {
  return `"${sha256}"`;
}

// Browsers running the JS SDK fetch the datafile cross-origin, as they do from Optimizely's CDN.
const CORS = { 'access-control-allow-origin': '*' };

/**
 * Answer one request. Only GET and HEAD (405 otherwise, with `Allow`); an unknown key is 404. A
 * matching `If-None-Match` (weak comparison, `*`, lists) or, without one, an `If-Modified-Since`
 * not older than the pointer move answers 304 with the validators and no body.
 */
export function mirrorResponse(request: MirrorRequest, object: MirrorObject | undefined, options: MirrorOptions): MirrorResponse {
  const method = request.method.toUpperCase();
  if (method === 'OPTIONS') return preflight();
  if (method !== 'GET' && method !== 'HEAD') {
    return { statusCode: 405, headers: { allow: 'GET, HEAD', 'content-type': 'application/json', ...CORS } };
  }
  if (!object) return notFound(method, options);
  const lastModifiedMs = Date.parse(object.lastModified);
  const validators = {
    etag: mirrorEtag(object.sha256),
    'last-modified': new Date(lastModifiedMs).toUTCString(),
    'cache-control': `max-age=${options.maxAgeSeconds}`,
    ...CORS,
  };
  const conditions = { ifNoneMatch: request.headers['if-none-match'], ifModifiedSince: request.headers['if-modified-since'] };
  if (notModified(conditions, validators.etag, lastModifiedMs)) return { statusCode: 304, headers: validators };
  const headers = { ...validators, 'content-type': 'application/json', 'content-length': String(object.body.length) };
  return method === 'HEAD' ? { statusCode: 200, headers } : { statusCode: 200, headers, body: object.body };
}

function notFound(method: string, options: MirrorOptions): MirrorResponse {
  const body = Buffer.from('{"error":"not_found"}');
  // A key may appear any moment (its first webhook): cache the miss no longer than a hit.
  const headers = {
    'content-type': 'application/json',
    'content-length': String(body.length),
    'cache-control': `max-age=${options.maxAgeSeconds}`,
    ...CORS,
  };
  return method === 'HEAD' ? { statusCode: 404, headers } : { statusCode: 404, headers, body };
}

/** CORS preflight: the SDK's conditional headers are not CORS-safelisted, so browsers ask first. */
function preflight(): MirrorResponse {
  return {
    statusCode: 204,
    headers: {
      ...CORS,
      'access-control-allow-methods': 'GET, HEAD',
      'access-control-allow-headers': 'if-modified-since, if-none-match',
      'access-control-max-age': '86400',
    },
  };
}
