import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header value Optimizely sends: `sha1=` + lowercase hex HMAC-SHA1 of the raw body. */
export function signBody(secret: string, body: Buffer | string): string {
  return `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;
}

/**
 * True when `header` is the signature of `body` under `secret`. Constant time over equal-length
 * inputs; a header of the wrong length or shape is rejected before any comparison, so this never
 * throws on attacker-controlled input.
 */
export function signatureMatches(secret: string, body: Buffer, header: string | undefined): boolean {
  if (typeof header !== 'string') return false;
  const expected = Buffer.from(signBody(secret, body), 'utf8');
  const actual = Buffer.from(header.trim(), 'utf8');
  if (actual.length !== expected.length) return false;
  return timingSafeEqual(actual, expected);
}
