import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { datafilePath } from '../../lib/layout';
import { signBody } from '../../lib/webhook/signature';
import { PROJECT_ID } from './datafiles';

export const SECRET = 'test-webhook-secret-0123456789';

export interface PayloadOptions {
  projectId?: number;
  revision: number;
  key?: string;
  environment?: string;
  origin: string;
  event?: string;
  /** Appended to both URLs (the local origin can answer per query). */
  query?: string;
}

/** A modern `project.datafile_updated` body pointing both URLs at the local origin. */
export function payload(o: PayloadOptions): string {
  const key = o.key ?? 'sdk_key';
  return JSON.stringify({
    project_id: o.projectId ?? Number(PROJECT_ID),
    timestamp: 1468447113,
    event: o.event ?? 'project.datafile_updated',
    data: {
      revision: o.revision,
      origin_url: `${o.origin}${datafilePath(key)}${o.query ?? ''}`,
      cdn_url: `${o.origin}/cdn${datafilePath(key)}${o.query ?? ''}`,
      environment: o.environment ?? 'Production',
    },
  });
}

/** An HTTP API (2.0) event carrying `body`, signed with `secret` unless a signature is given. */
export function httpApiEvent(
  body: string,
  opts: { secret?: string; signature?: string; base64?: boolean; header?: string } = {},
): APIGatewayProxyEventV2 {
  const signature = opts.signature ?? signBody(opts.secret ?? SECRET, Buffer.from(body));
  return {
    version: '2.0',
    routeKey: 'POST /webhook',
    rawPath: '/webhook',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', [opts.header ?? 'x-hub-signature']: signature },
    requestContext: {
      accountId: '123',
      apiId: 'api',
      domainName: 'example.com',
      domainPrefix: 'example',
      http: { method: 'POST', path: '/webhook', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      routeKey: 'POST /webhook',
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
    body: opts.base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: Boolean(opts.base64),
  };
}

/** The same request as a REST API (1.0) event. */
export function restApiEvent(body: string, opts: { secret?: string; header?: string } = {}): APIGatewayProxyEvent {
  const signature = signBody(opts.secret ?? SECRET, Buffer.from(body));
  return {
    httpMethod: 'POST',
    path: '/webhook',
    resource: '/webhook',
    headers: { [opts.header ?? 'X-Hub-Signature']: signature },
    multiValueHeaders: { [opts.header ?? 'X-Hub-Signature']: [signature] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: { requestId: 'rest-req' } as APIGatewayProxyEvent['requestContext'],
    body,
    isBase64Encoded: false,
  };
}
