import fc from 'fast-check';
import { signatureMatches, signBody } from '../../../lib/webhook/signature';

describe('signBody', () => {
  it('is sha1= and the lowercase hex HMAC-SHA1 of the raw body (RFC 2202-style vector)', () => {
    expect(signBody('key', 'The quick brown fox jumps over the lazy dog')).toBe('sha1=de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9');
  });
});

describe('signatureMatches', () => {
  const body = Buffer.from('{"event":"project.datafile_updated"}');
  const good = signBody('secret-1234', body);

  it('accepts the exact signature, with surrounding whitespace ignored', () => {
    expect(signatureMatches('secret-1234', body, good)).toBe(true);
    expect(signatureMatches('secret-1234', body, ` ${good}\t`)).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['upper-case hex', good.toUpperCase()],
    ['another secret', signBody('secret-9999', body)],
    ['one character short', good.slice(0, -1)],
    ['one character long', `${good}0`],
    ['sha256', `sha256=${'0'.repeat(64)}`],
    ['same length, multi-byte characters', `sha1=${'é'.repeat(40)}`],
  ])('refuses a %s signature', (_name, header) => {
    expect(signatureMatches('secret-1234', body, header)).toBe(false);
  });

  it('never throws on any header, whatever its length or characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (header) => {
        expect(signatureMatches('secret-1234', body, header)).toBe(header.trim() === good);
      }),
      { numRuns: 2000, seed: 6 },
    );
    expect(signatureMatches('secret-1234', body, 'x'.repeat(100_000))).toBe(false);
    expect(signatureMatches('secret-1234', body, 42 as unknown as string)).toBe(false);
  });
});
