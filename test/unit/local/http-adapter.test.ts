import type { IncomingMessage } from 'node:http';
import { normalizeRequest } from '../../../lib/webhook/request';
import { toHttpApiEvent } from '../../../local/http-adapter';

function request(headers: Record<string, string | string[]>, method = 'POST'): IncomingMessage {
  return { url: '/webhook?x=1', method, headers, httpVersion: '1.1', socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
}

describe('toHttpApiEvent', () => {
  it('hands the handler the exact body bytes and lower-cased headers, as API Gateway HTTP API 2.0 does', () => {
    const bytes = Buffer.from('{"a":"ü\\u0000"}\r\n', 'utf8');

    const event = toHttpApiEvent(request({ 'X-Hub-Signature': 'sha1=ab', 'content-type': 'application/json' }), bytes, 'ANY /webhook');
    const normalized = normalizeRequest(event);

    expect(event).toMatchObject({ version: '2.0', rawPath: '/webhook', rawQueryString: 'x=1', isBase64Encoded: true });
    expect(normalized.body.equals(bytes)).toBe(true);
    expect(normalized.headers['x-hub-signature']).toBe('sha1=ab');
    expect(normalized.method).toBe('POST');
  });

  it('joins repeated headers with commas', () => {
    const event = toHttpApiEvent(request({ 'x-forwarded-for': ['a', 'b'] }, 'GET'), Buffer.alloc(0), 'ANY /webhook');

    expect(event.headers['x-forwarded-for']).toBe('a,b');
    expect(event.requestContext.http.method).toBe('GET');
  });
});
