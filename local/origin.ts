import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Answers one request. */
export type Responder = (req: IncomingMessage, res: ServerResponse) => void;

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

/**
 * A local HTTP origin standing in for Optimizely's CDN/origin. Each path serves the next queued
 * responder (the last one repeats), and every request is recorded so tests can assert what was,
 * and was not, requested.
 */
export interface LocalOrigin {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Queue responders for a path; the last one keeps answering. */
  serve(path: string, ...responders: Responder[]): void;
  close(): Promise<void>;
}

export async function startOrigin(port = 0): Promise<LocalOrigin> {
  const routes = new Map<string, Responder[]>();
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    requests.push({ method: req.method ?? '', path, headers: req.headers });
    const queue = routes.get(path);
    const next = queue && (queue.length > 1 ? queue.shift() : queue[0]);
    if (!next) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    next(req, res);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    requests,
    serve: (path, ...responders) => routes.set(path, responders),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * 200 with the bytes as JSON and an ETag of them, as S3 and Optimizely's CDN answer; a request whose
 * If-None-Match names that ETag gets a bodiless 304, as theirs do.
 */
export const body =
  (bytes: Buffer | string, headers: Record<string, string> = {}): Responder =>
  (req, res) => {
    const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(bytes)), etag, ...headers });
    res.end(bytes);
  };

export const status =
  (code: number): Responder =>
  (_req, res) => {
    res.writeHead(code, { 'content-type': 'text/plain' }).end(`status ${code}`);
  };

export const redirect =
  (location: string, code = 302): Responder =>
  (_req, res) => {
    res.writeHead(code, { location }).end();
  };

/** Declares the full length, sends half, then drops the connection. */
export const truncated =
  (bytes: Buffer | string): Responder =>
  (_req, res) => {
    const buf = Buffer.from(bytes);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(buf.length) });
    res.write(buf.subarray(0, Math.floor(buf.length / 2)), () => res.socket?.destroy());
  };

/** Never answers (until the server closes). */
export const hang = (): Responder => () => undefined;
