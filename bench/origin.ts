import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Optimizely's CDN for the benchmarks: `GET /datafiles/{key}.json` serves the
 * key's current bytes with `Last-Modified` and answers `If-Modified-Since` with 304, as a CDN does;
 * `?rev=N` serves bytes registered for that revision (the webhook path asks for the revision it was
 * told about). Bytes are prepared before a timed trial, never generated inside it.
 */
export interface DatafileOrigin {
  url: string;
  port: number;
  /** Make `bytes` the current datafile of `key` (a new Last-Modified). */
  publish(key: string, bytes: Buffer): void;
  /** Serve `bytes` for `?rev=revision`. */
  prepare(revision: number, bytes: Buffer): void;
  forget(revision: number): void;
  stats: { full: number; notModified: number; bodyBytes: number };
  /** Every answer to a poll of a key (not `?rev=` fetches): when (performance.now()) and with what status. */
  polls: { at: number; status: number; key: string }[];
  close(): Promise<void>;
}

export async function startDatafileOrigin(): Promise<DatafileOrigin> {
  const current = new Map<string, { bytes: Buffer; lastModified: Date }>();
  const byRevision = new Map<number, Buffer>();
  let clock = 0;
  const stats = { full: 0, notModified: 0, bodyBytes: 0 };
  const polls: DatafileOrigin['polls'] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://origin');
    const key = /^\/(?:cdn\/)?datafiles\/([^/]+)\.json$/.exec(url.pathname)?.[1];
    const rev = url.searchParams.get('rev');
    const fixed = rev === null ? undefined : byRevision.get(Number(rev));
    const entry = key === undefined ? undefined : current.get(key);
    const bytes = fixed ?? entry?.bytes;
    if (!bytes) {
      res.writeHead(404).end();
      return;
    }
    const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(bytes.length) };
    if (!fixed && entry) {
      headers['last-modified'] = entry.lastModified.toUTCString();
      const since = req.headers['if-modified-since'];
      if (since && Date.parse(since) >= entry.lastModified.getTime()) {
        stats.notModified++;
        polls.push({ at: performance.now(), status: 304, key: key ?? '' });
        res.writeHead(304, { 'last-modified': headers['last-modified'] }).end();
        return;
      }
    }
    if (!fixed) polls.push({ at: performance.now(), status: 200, key: key ?? '' });
    stats.full++;
    stats.bodyBytes += bytes.length;
    res.writeHead(200, headers).end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats,
    polls,
    publish: (key, bytes) => {
      // HTTP dates have one-second resolution: keep each publish at least a second later than the
      // last, so If-Modified-Since can never hide an update.
      clock = Math.max(clock + 1000, Math.ceil(Date.now() / 1000) * 1000);
      current.set(key, { bytes, lastModified: new Date(clock) });
    },
    prepare: (revision, bytes) => byRevision.set(revision, bytes),
    forget: (revision) => byRevision.delete(revision),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
