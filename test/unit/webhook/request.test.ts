import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, LambdaFunctionURLEvent } from 'aws-lambda';
import { errorResponse } from '../../../lib/webhook/http';
import { MAX_WEBHOOK_BYTES, normalizeRequest, type WebhookEvent } from '../../../lib/webhook/request';

const v2 = (over: Partial<APIGatewayProxyEventV2> = {}): WebhookEvent =>
  ({
    version: '2.0',
    headers: {},
    requestContext: { requestId: 'r2', http: { method: 'POST' } },
    isBase64Encoded: false,
    ...over,
  }) as unknown as APIGatewayProxyEventV2;
const v1 = (over: Partial<APIGatewayProxyEvent> = {}): WebhookEvent =>
  ({
    httpMethod: 'POST',
    headers: {},
    multiValueHeaders: {},
    requestContext: { requestId: 'r1' },
    isBase64Encoded: false,
    ...over,
  }) as unknown as APIGatewayProxyEvent;

describe('normalizeRequest', () => {
  it('reads an HTTP API (2.0) event: method, lower-cased headers, raw body, request id', () => {
    const req = normalizeRequest(v2({ headers: { 'X-Hub-Signature': 'sha1=a', 'Content-Type': 'application/json' }, body: '{"a":"é"}' }));

    expect(req).toEqual({
      method: 'POST',
      headers: { 'x-hub-signature': 'sha1=a', 'content-type': 'application/json' },
      body: Buffer.from('{"a":"é"}'),
      requestId: 'r2',
    });
  });

  it('reads a REST API (1.0) event and joins repeated headers, so a doubled signature never matches', () => {
    const single = normalizeRequest(
      v1({ headers: { 'X-HUB-SIGNATURE': 'sha1=a' }, multiValueHeaders: { 'X-HUB-SIGNATURE': ['sha1=a'] }, body: 'x' }),
    );
    const repeated = normalizeRequest(
      v1({ headers: { 'X-Hub-Signature': 'sha1=b' }, multiValueHeaders: { 'X-Hub-Signature': ['sha1=a', 'sha1=b'] } }),
    );

    expect(single).toEqual({ method: 'POST', headers: { 'x-hub-signature': 'sha1=a' }, body: Buffer.from('x'), requestId: 'r1' });
    expect(repeated.headers['x-hub-signature']).toBe('sha1=a, sha1=b');
  });

  it('reads a Lambda Function URL event like an HTTP API event', () => {
    const event = {
      version: '2.0',
      headers: { 'x-hub-signature': 's' },
      requestContext: { requestId: 'fu', http: { method: 'post' } },
      body: 'b',
      isBase64Encoded: false,
    };

    expect(normalizeRequest(event as unknown as LambdaFunctionURLEvent)).toEqual({
      method: 'POST',
      headers: { 'x-hub-signature': 's' },
      body: Buffer.from('b'),
      requestId: 'fu',
    });
  });

  it('decodes a base64 body to the exact bytes sent, including invalid UTF-8', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]);

    expect(normalizeRequest(v2({ body: bytes.toString('base64'), isBase64Encoded: true })).body.equals(bytes)).toBe(true);
  });

  it('tolerates missing pieces: no body, null headers, no request context (method empty)', () => {
    const req = normalizeRequest({ headers: null, body: null } as unknown as WebhookEvent);

    expect(req).toEqual({ method: '', headers: {}, body: Buffer.alloc(0), requestId: '' });
  });

  it('never throws on fields of the wrong type: a numeric method or request id, non-string header values', () => {
    const odd = { requestContext: { requestId: 7, http: { method: 5 } }, headers: { 'X-Hub-Signature': 1 }, body: 3 };

    expect(normalizeRequest(odd as unknown as WebhookEvent)).toEqual({ method: '', headers: {}, body: Buffer.alloc(0), requestId: '' });
  });

  it('accepts exactly the limit and refuses one byte more with 413 payload_too_large, plain or base64', () => {
    const at = 'x'.repeat(MAX_WEBHOOK_BYTES);
    const over = 'x'.repeat(MAX_WEBHOOK_BYTES + 1);
    const refusal = (event: WebhookEvent) => {
      try {
        normalizeRequest(event);
        return 'accepted';
      } catch (e) {
        return [errorResponse(e).statusCode, (e as { code?: string }).code];
      }
    };

    expect(normalizeRequest(v2({ body: at })).body.length).toBe(MAX_WEBHOOK_BYTES);
    expect(refusal(v2({ body: over }))).toEqual([413, 'payload_too_large']);
    expect(refusal(v2({ body: Buffer.from(over).toString('base64'), isBase64Encoded: true }))).toEqual([413, 'payload_too_large']);
    expect(refusal(v2({ body: 'é'.repeat(MAX_WEBHOOK_BYTES / 2 + 1) }))).toEqual([413, 'payload_too_large']);
    expect(refusal(v2({ body: ' '.repeat(200_000), isBase64Encoded: true }))).toEqual([413, 'payload_too_large']);
  });
});
