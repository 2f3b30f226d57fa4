import { type MirrorObject, mirrorResponse } from '../../../lib/mirror/respond';

const SHA = 'a'.repeat(64);
const ETAG = `"${SHA}"`;
const OBJECT: MirrorObject = { body: Buffer.from('{"revision":"7"}'), sha256: SHA, revision: 7, lastModified: '2024-05-01T10:00:00.000Z' };
const LAST_MODIFIED = 'Wed, 01 May 2024 10:00:00 GMT';
const OPTIONS = { maxAgeSeconds: 1 };

function get(headers: Record<string, string> = {}, method = 'GET') {
  return mirrorResponse({ method, headers }, OBJECT, OPTIONS);
}

describe('mirrorResponse', () => {
  it('serves the bytes with a sha256 ETag, the pointer move as Last-Modified, max-age and JSON type', () => {
    const res = get();

    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual(OBJECT.body);
    expect(res.headers).toMatchObject({
      etag: ETAG,
      'last-modified': LAST_MODIFIED,
      'cache-control': 'max-age=1',
      'content-type': 'application/json',
      'content-length': String(OBJECT.body.length),
    });
  });

  it('answers 304 with the validators and no body when If-None-Match matches', () => {
    const res = get({ 'if-none-match': ETAG });

    expect(res.statusCode).toBe(304);
    expect(res.body).toBeUndefined();
    expect(res.headers).toMatchObject({ etag: ETAG, 'last-modified': LAST_MODIFIED, 'cache-control': 'max-age=1' });
    expect(res.headers['content-type']).toBeUndefined();
  });

  it('compares If-None-Match weakly, accepts lists and *', () => {
    expect(get({ 'if-none-match': `W/${ETAG}` }).statusCode).toBe(304);
    expect(get({ 'if-none-match': `"other", ${ETAG}` }).statusCode).toBe(304);
    expect(get({ 'if-none-match': '*' }).statusCode).toBe(304);
    expect(get({ 'if-none-match': '"other"' }).statusCode).toBe(200);
  });

  it('lets If-None-Match take precedence over If-Modified-Since', () => {
    const future = 'Thu, 01 Jan 2099 00:00:00 GMT';

    expect(get({ 'if-none-match': '"stale"', 'if-modified-since': future }).statusCode).toBe(200);
    expect(get({ 'if-none-match': ETAG, 'if-modified-since': 'Mon, 01 Jan 1990 00:00:00 GMT' }).statusCode).toBe(304);
  });

  it('answers 304 to If-Modified-Since at or after the move (second resolution), 200 before it', () => {
    expect(get({ 'if-modified-since': LAST_MODIFIED }).statusCode).toBe(304);
    expect(get({ 'if-modified-since': 'Wed, 01 May 2024 10:00:01 GMT' }).statusCode).toBe(304);
    expect(get({ 'if-modified-since': 'Wed, 01 May 2024 09:59:59 GMT' }).statusCode).toBe(200);
  });

  it('ignores an invalid If-Modified-Since or If-None-Match', () => {
    expect(get({ 'if-modified-since': 'yesterday' }).statusCode).toBe(200);
    expect(get({ 'if-none-match': 'garbage', 'if-modified-since': LAST_MODIFIED }).statusCode).toBe(304);
  });

  it('answers HEAD with the GET headers and no body', () => {
    const head = get({}, 'HEAD');

    expect(head.statusCode).toBe(200);
    expect(head.body).toBeUndefined();
    expect(head.headers).toEqual(get().headers);
  });

  it('refuses other methods with 405 and Allow, and answers a CORS preflight', () => {
    const post = get({}, 'POST');
    const preflight = get({}, 'OPTIONS');

    expect(post.statusCode).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect(post.body).toBeUndefined();
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('if-modified-since');
  });

  it('answers 404 for a key without a mirror copy', () => {
    const res = mirrorResponse({ method: 'GET', headers: { 'if-none-match': '*' } }, undefined, OPTIONS);

    expect(res.statusCode).toBe(404);
    expect(JSON.parse(String(res.body))).toEqual({ error: 'not_found' });
  });
});
