import { noneMatchFails, notModified, parseHttpDate } from '../../../lib/mirror/conditional';

const ETAG = `"${'a'.repeat(64)}"`;

describe('conditional request rules', () => {
  it('parses the three HTTP-date forms and rejects other date text', () => {
    const ms = Date.UTC(1994, 10, 6, 8, 49, 37);

    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(ms);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')).toBe(ms);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).toBe(ms);
    expect(parseHttpDate('1994-11-06')).toBeUndefined();
  });

  it('reads entity tags containing commas as one tag', () => {
    expect(noneMatchFails('"a,b"', '"a,b"')).toBe(true);
    expect(noneMatchFails('"a,b"', '"a"')).toBe(false);
  });

  it('is not modified only when a validator says so', () => {
    expect(notModified({}, ETAG, 0)).toBe(false);
  });
});
