import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, LambdaFunctionURLEvent } from 'aws-lambda';
import { RequestError } from '../errors';

/** API Gateway HTTP API (2.0), REST API (1.0) or Lambda Function URL event. */
export type WebhookEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent | LambdaFunctionURLEvent;

export interface WebhookRequest {
  method: string;
  /** Header names lower-cased; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The raw body bytes exactly as sent (base64 decoded when the event says so). */
  body: Buffer;
  requestId: string;
}

/** Webhook bodies above this are refused before anything else looks at them. */
export const MAX_WEBHOOK_BYTES = 64 * 1024;

/** Turn any of the three event shapes into method, lower-cased headers and raw body bytes. */
export function normalizeRequest(event: WebhookEvent): WebhookRequest {
  const e = event as Partial<APIGatewayProxyEventV2 & APIGatewayProxyEvent>;
  const rawMethod: unknown = (e.requestContext as { http?: { method?: unknown } } | undefined)?.http?.method ?? e.httpMethod;
  const method = typeof rawMethod === 'string' ? rawMethod : '';
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(e.headers ?? {})) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
  }
  for (const [name, values] of Object.entries(e.multiValueHeaders ?? {})) {
    if (Array.isArray(values) && values.length > 1) headers[name.toLowerCase()] = values.join(', ');
  }
  const rawId: unknown = (e.requestContext as { requestId?: unknown } | undefined)?.requestId;
  const requestId = typeof rawId === 'string' ? rawId : '';
  const raw = typeof e.body === 'string' ? e.body : '';
  // Refuse before decoding: base64 is 4/3 of the bytes, so an over-long string is over-long bytes.
  const limit = e.isBase64Encoded ? Math.ceil((MAX_WEBHOOK_BYTES * 4) / 3) + 4 : MAX_WEBHOOK_BYTES * 4;
  if (raw.length > limit) throw tooLarge();
  const body = e.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (body.length > MAX_WEBHOOK_BYTES) throw tooLarge();
  return { method: method.toUpperCase(), headers, body, requestId };
}

function tooLarge(): RequestError {
  return new RequestError('payload_too_large', `Webhook bodies are limited to ${MAX_WEBHOOK_BYTES} bytes.`);
}
