import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpResponse } from '../lib/webhook/http';

/** A Lambda-style handler for HTTP API (2.0) events. */
export type HttpApiHandler = (event: APIGatewayProxyEventV2) => Promise<HttpResponse>;

const MAX_BODY = 10 * 1024 * 1024; // API Gateway's own limit; the handler enforces its smaller one.

/** A raw answer of another route on the same port (the SDK mirror): bytes, not a Lambda response. */
export interface RawResponse {
  statusCode: number;
  headers: Record<string, string>;
  body?: Buffer;
}

/** Another route served beside the handler: undefined when the path is not its own. */
export type RawRoute = (
  path: string,
  request: { method: string; headers: Record<string, string | undefined> },
) => Promise<RawResponse> | undefined;

/**
 * The Node request as API Gateway HTTP API v2 would deliver it: headers lower-cased (repeated ones
 * joined with commas), raw body as base64 so the signature is checked over the exact bytes.
 */
export function toHttpApiEvent(req: IncomingMessage, body: Buffer, routeKey: string): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const method = req.method ?? 'GET';
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body: body.toString('base64'),
    isBase64Encoded: true,
  };
}

/**
 * Serve `handler` at `path` on 127.0.0.1:`port` (any method reaches it; the handler answers 405),
 * and each of `routes` (bodiless requests) at the paths it claims.
 */
export async function serveHttpApi(
  handler: HttpApiHandler,
  path: string,
  port: number,
  routes: RawRoute[] = [],
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://local').pathname;
    if (pathname !== path && serveRoute(routes, pathname, req, res)) return;
    if (pathname !== path)
      return send(res, { statusCode: 404, headers: { 'content-type': 'application/json' }, body: '{"error":"not_found"}' });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        send(res, { statusCode: 413, headers: { 'content-type': 'application/json' }, body: '{"error":"payload_too_large"}' });
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      handler(toHttpApiEvent(req, Buffer.concat(chunks), `ANY ${path}`)).then(
        (response) => send(res, response),
        () => send(res, { statusCode: 500, headers: { 'content-type': 'application/json' }, body: '{"error":"internal_error"}' }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return { server, port: (server.address() as AddressInfo).port };
}

function send(res: ServerResponse, response: HttpResponse): void {
  if (res.headersSent) return;
  res.writeHead(response.statusCode, response.headers).end(response.body);
}

function serveRoute(routes: RawRoute[], pathname: string, req: IncomingMessage, res: ServerResponse): boolean {
  const headers = toHttpApiEvent(req, Buffer.alloc(0), '').headers as Record<string, string | undefined>;
  for (const route of routes) {
    const answer = route(pathname, { method: req.method ?? 'GET', headers });
    if (!answer) continue;
    answer.then(
      (r) => {
        if (!res.headersSent) res.writeHead(r.statusCode, r.headers).end(r.body);
      },
      () => send(res, { statusCode: 500, headers: { 'content-type': 'application/json' }, body: '{"error":"internal_error"}' }),
    );
    return true;
  }
  return false;
}
