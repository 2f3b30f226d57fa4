import dns from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { createGunzip } from 'node:zlib';
import { addressAllowed, checkUrl, type UrlPolicy } from './hosts';

/** Limits for one guarded GET (all hops of it). */
export interface GetPolicy extends UrlPolicy {
  maxBytes: number;
  connectTimeoutMs: number;
  attemptTimeoutMs: number;
  maxRedirects: number;
  /** Resolver, injectable so tests can make a name resolve to a chosen address. */
  lookup?: typeof dns.lookup;
}

/** Why a GET failed; `retryable` says whether trying again could help. */
export class GetFailure extends Error {
  override readonly name = 'GetFailure';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly kind: 'refused' | 'http' | 'timeout' | 'network' | 'too_large' | 'truncated',
  ) {
    super(message);
  }
}

/**
 * GET a URL under the policy: every hop's URL is checked against the host allow-list, every
 * resolved address against private ranges (before connecting), credentials never follow a redirect
 * to another origin (scheme, host or port), and the body is capped while it streams (after decompression).
 */
export async function guardedGet(start: string, headers: Record<string, string>, policy: GetPolicy, deadline: number): Promise<GetResult> {
  let current = start;
  let hopHeaders = { ...headers };
  for (let hop = 0; hop <= policy.maxRedirects; hop++) {
    const checked = checkUrl(current, policy);
    if ('reason' in checked) throw new GetFailure(`refused ${redactUrl(current)}: ${checked.reason}`, false, 'refused');
    const url = checked.url;
    const result = await requestOnce(url, hopHeaders, policy, deadline);
    if ('bytes' in result) return { bytes: result.bytes, url: url.href, validators: result.validators };
    if ('notModified' in result) return { notModified: true, url: url.href };
    let next: URL;
    try {
      next = new URL(result.location, url);
    } catch {
      throw new GetFailure('redirect to an invalid location', false, 'refused');
    }
    // Origin, not host: a same-host hop from https: to http: would send the token in clear text.
    if (next.origin !== url.origin) hopHeaders = withoutAuthorization(hopHeaders);
    current = next.href;
  }
  throw new GetFailure(`more than ${policy.maxRedirects} redirects`, false, 'refused');
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  const { authorization: _dropped, ...rest } = headers;
  return rest;
}

/** URLs in messages keep scheme, host and path only. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

function guardedLookup(policy: GetPolicy): LookupFunction {
  const resolve = policy.lookup ?? dns.lookup;
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as unknown as dns.LookupAddress[];
      const bad = list.find((a) => !addressAllowed(a.address, policy));
      if (bad || list.length === 0) {
        const refusal = Object.assign(new Error(`${hostname} resolves to a disallowed address`), { code: 'EREFUSED_ADDRESS' });
        return callback(refusal, '', 4);
      }
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      const first = list[0] as dns.LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}

/** What a GET ends with: the body (and its validators), or 304 Not Modified to a conditional GET. */
export type GetResult = { bytes: Buffer; url: string; validators: Validators } | { notModified: true; url: string };

/** The response's cache validators, sent back as If-None-Match / If-Modified-Since next time. */
export interface Validators {
  etag?: string;
  lastModified?: string;
}

type Once = { bytes: Buffer; validators: Validators } | { location: string } | { notModified: true };

function requestOnce(url: URL, headers: Record<string, string>, policy: GetPolicy, deadline: number): Promise<Once> {
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) && !addressAllowed(literal, policy)) {
    return Promise.reject(new GetFailure(`refused ${url.host}: address not allowed`, false, 'refused'));
  }
  const timeoutMs = Math.min(policy.attemptTimeoutMs, deadline - Date.now());
  if (timeoutMs <= 0) return Promise.reject(new GetFailure('time budget exhausted', true, 'timeout'));
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise<Once>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(total);
      fn();
    };
    const fail = (e: GetFailure) => {
      finish(() => reject(e));
      req.destroy();
    };
    const req = mod.request(url, {
      method: 'GET',
      agent: false,
      lookup: guardedLookup(policy),
      headers: { accept: 'application/json', 'accept-encoding': 'gzip', ...headers },
    });
    const total = setTimeout(() => fail(new GetFailure(`timed out after ${timeoutMs} ms`, true, 'timeout')), timeoutMs);
    req.on('socket', (socket) => {
      if (!socket.connecting) return;
      const connect = setTimeout(() => fail(new GetFailure('connect timeout', true, 'timeout')), policy.connectTimeoutMs);
      socket.once('connect', () => clearTimeout(connect));
      socket.once('close', () => clearTimeout(connect));
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      const refused = e.code === 'EREFUSED_ADDRESS';
      fail(new GetFailure(refused ? e.message : `network error: ${e.code ?? e.message}`, !refused, refused ? 'refused' : 'network'));
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      // A redirect's or an error's body is never read: reading it would be an unbounded download
      // (no size cap, no timeout once settled). Closing the connection is the cheap way out; every
      // request has its own connection (agent: false), so nothing else is lost with it.
      if (status >= 300 && status < 400 && res.headers.location) {
        const location = res.headers.location;
        res.destroy();
        return finish(() => resolve({ location }));
      }
      if (status === 304) {
        res.resume();
        return finish(() => resolve({ notModified: true }));
      }
      if (status < 200 || status >= 300) {
        res.destroy();
        const retryable = status >= 500 || status === 429 || status === 408;
        return fail(new GetFailure(`HTTP ${status} from ${url.host}`, retryable, 'http'));
      }
      readBody(res, policy.maxBytes).then(
        (bytes) =>
          finish(() =>
            resolve({ bytes, validators: { etag: header(res.headers.etag), lastModified: header(res.headers['last-modified']) } }),
          ),
        (e: GetFailure) => fail(e),
      );
    });
    req.end();
  });
}

function readBody(res: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(res.headers['content-length'] ?? Number.NaN);
  const gzip = /gzip/i.test(String(res.headers['content-encoding'] ?? ''));
  if (!gzip && declared > maxBytes) {
    return Promise.reject(new GetFailure(`datafile is larger than ${maxBytes} bytes`, false, 'too_large'));
  }
  return new Promise((resolve, reject) => {
    // With a declared length (the usual case) the body is copied into one buffer as it arrives,
    // instead of keeping every chunk and then joining them: one copy of the file in memory, not two.
    const body = !gzip && Number.isSafeInteger(declared) ? Buffer.allocUnsafe(declared) : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    let wire = 0;
    const stream = gzip ? res.pipe(createGunzip()) : res;
    res.on('data', (c: Buffer) => {
      wire += c.length;
    });
    stream.on('data', (c: Buffer) => {
      if (size + c.length > maxBytes) {
        reject(new GetFailure(`datafile is larger than ${maxBytes} bytes`, false, 'too_large'));
        res.destroy();
        return;
      }
      if (body && size + c.length > body.length) {
        reject(new GetFailure(`body longer than its declared ${declared} bytes`, true, 'truncated'));
        res.destroy();
        return;
      }
      if (body) c.copy(body, size);
      else chunks.push(c);
      size += c.length;
    });
    res.on('aborted', () => reject(new GetFailure('connection closed mid-body', true, 'truncated')));
    res.on('close', () => {
      if (!res.complete) reject(new GetFailure('connection closed mid-body', true, 'truncated'));
    });
    res.on('error', () => reject(new GetFailure('connection closed mid-body', true, 'truncated')));
    stream.on('error', () => reject(new GetFailure('corrupt compressed body', true, 'truncated')));
    stream.on('end', () => {
      if (!Number.isNaN(declared) && wire !== declared) {
        reject(new GetFailure(`body ended after ${wire} of ${declared} bytes`, true, 'truncated'));
      } else {
        resolve(body ?? Buffer.concat(chunks, size));
      }
    });
  });
}

function header(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v && v.length <= 256 ? v : undefined;
}
