import { createHmac } from 'node:crypto';
import type dns from 'node:dns';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { createWebhookApp } from '../../lib/app';
import type { WebhookConfig } from '../../lib/config';
import { parseProjectsConfig } from '../../lib/config';
import type { WebhookEvent } from '../../lib/webhook/request';
import { type LocalOrigin, startOrigin } from '../../local/origin';
import { PROJECT_ID } from '../support/datafiles';
import { freshStores, listObjects, type TestStores } from '../support/stores';
import { SECRET } from '../support/webhooks';

/*
 * 10,000 generated requests against the real handler (real clients to the local stores, counted).
 * The expected answer of each comes from the oracle below, written from the webhook's contract —
 * never by calling the code under test. Replay a failure with FC_SEED=<seed printed by fast-check>.
 */
const SEED = Number(process.env.FC_SEED ?? 20_261_126);
const RUNS = 10_000;
const LIMIT = 64 * 1024;
const MISSING = Symbol('missing');

let stores: TestStores;
let origin: LocalOrigin;
let sends = 0;
const lookups: string[] = [];

const counted = <C extends object>(client: C): C =>
  new Proxy(client, {
    get: (target, prop, receiver) => {
      const value = Reflect.get(target, prop, receiver);
      if (prop !== 'send' || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        sends++;
        return value.apply(target, args);
      };
    },
  });

beforeAll(async () => {
  stores = await freshStores();
  origin = await startOrigin();
});
afterAll(async () => {
  await origin.close();
});

function handler() {
  const projects = { projects: { [PROJECT_ID]: { secrets: [SECRET], environments: ['Production', 'Staging'] } } };
  const config: WebhookConfig = {
    table: stores.table,
    bucket: stores.bucket,
    projects: { kind: 'static', config: parseProjectsConfig(JSON.stringify(projects), 'test') },
    fetch: {
      allowedHosts: [`127.0.0.1:${origin.port}`, 'cdn.optimizely.com'],
      allowLoopback: true,
      // Nothing here should ever resolve a name; if something did, it gets nowhere.
      lookup: ((host: string, _o: unknown, cb: (e: Error) => void) => {
        lookups.push(host);
        cb(new Error('no lookups in this test'));
      }) as unknown as typeof dns.lookup,
      maxBytes: 1024 * 1024,
      connectTimeoutMs: 100,
      attemptTimeoutMs: 100,
      budgetMs: 200,
      baseDelayMs: 1,
      maxDelayMs: 1,
      maxRedirects: 0,
    },
  };
  return createWebhookApp(config, { s3: counted(stores.s3), dynamo: counted(stores.dynamo) });
}

// ---- The oracle -------------------------------------------------------------------------------

type Expected = { statusCode: number; code: string } | 'valid';
const bad = (code = 'invalid_payload'): Expected => ({ statusCode: 400, code });

/** What the contract says about a parsed body whose fields were not built by the generator. */
function classifyUnknown(doc: unknown): Expected {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return bad();
  const event = (doc as Record<string, unknown>).event;
  if (typeof event !== 'string') return bad();
  if (event !== 'project.datafile_updated') return { statusCode: 202, code: 'ignored_event' };
  return 'valid'; // not decided here; such cases are skipped (they are practically never generated)
}

interface Case {
  shape: 'http-api' | 'rest-api' | 'function-url' | 'no-context' | 'odd-types';
  method: string;
  headerName: string;
  signature: SignatureKind;
  encoding: 'text' | 'base64' | 'base64-flag-on-text';
  body: GeneratedBody;
}
interface GeneratedBody {
  text?: string;
  bytes?: Buffer;
  /** Set when the generator built the payload field by field and knows its verdict. */
  verdict?: Expected;
}
type SignatureKind =
  | 'valid'
  | 'valid-padded'
  | 'uppercase'
  | 'wrong-secret'
  | 'other-body'
  | 'sha256'
  | 'truncated'
  | 'extended'
  | 'garbage'
  | 'empty'
  | 'missing'
  | 'repeated';

const hmac = (algo: string, secret: string, bytes: Buffer) => createHmac(algo, secret).update(bytes).digest('hex');

/** The request as sent: raw body string, the bytes the server will see, and the signed bytes. */
function wire(c: Case): { raw: string; serverBytes: Buffer; signedBytes: Buffer } {
  if (c.body.bytes || c.encoding === 'base64') {
    const bytes = c.body.bytes ?? Buffer.from(c.body.text ?? '', 'utf8');
    return { raw: bytes.toString('base64'), serverBytes: bytes, signedBytes: bytes };
  }
  const text = c.body.text ?? '';
  if (c.encoding === 'base64-flag-on-text')
    return { raw: text, serverBytes: Buffer.from(text, 'base64'), signedBytes: Buffer.from(text, 'utf8') };
  return { raw: text, serverBytes: Buffer.from(text, 'utf8'), signedBytes: Buffer.from(text, 'utf8') };
}

function signatureFor(kind: SignatureKind, bytes: Buffer, garbage: string): string[] {
  const good = `sha1=${hmac('sha1', SECRET, bytes)}`;
  switch (kind) {
    case 'valid':
      return [good];
    case 'valid-padded':
      return [` ${good}\t`];
    case 'uppercase':
      return [`SHA1=${hmac('sha1', SECRET, bytes).toUpperCase()}`];
    case 'wrong-secret':
      return [`sha1=${hmac('sha1', 'wrong-secret-123456', bytes)}`];
    case 'other-body':
      return [`sha1=${hmac('sha1', SECRET, Buffer.concat([bytes, Buffer.from(' ')]))}`];
    case 'sha256':
      return [`sha256=${hmac('sha256', SECRET, bytes)}`];
    case 'truncated':
      return [good.slice(0, -1)];
    case 'extended':
      return [`${good}0`];
    case 'garbage':
      return [garbage];
    case 'empty':
      return [''];
    case 'missing':
      return [];
    case 'repeated':
      return [good, good];
  }
}

function expectedFor(c: Case): Expected {
  const { raw, serverBytes, signedBytes } = wire(c);
  const encoded = c.encoding !== 'text' || Boolean(c.body.bytes);
  // 1. Size first: refused from the encoded length before decoding, or from the decoded bytes.
  if ((encoded && raw.length > Math.ceil((LIMIT * 4) / 3) + 4) || serverBytes.length > LIMIT)
    return { statusCode: 413, code: 'payload_too_large' };
  // 2. Only POST.
  if (c.shape === 'no-context' || c.shape === 'odd-types' || c.method.toUpperCase() !== 'POST')
    return { statusCode: 405, code: 'method_not_allowed' };
  // 3. The signature: exactly one header value, equal (after trimming) to sha1= lowercase HMAC of the bytes received.
  const signedWhatServerSees = signedBytes.equals(serverBytes);
  const valid = (c.signature === 'valid' || c.signature === 'valid-padded') && signedWhatServerSees;
  if (!valid) return { statusCode: 401, code: 'invalid_signature' };
  // 4. The payload: JSON, with every string (keys too) well-formed Unicode, then its fields.
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(serverBytes));
  } catch {
    return bad('invalid_json');
  }
  if (hasLoneSurrogate(doc)) return bad();
  if (c.body.verdict) return c.body.verdict;
  return classifyUnknown(doc);
}

/** True when any string or key in the document is not well-formed UTF-16 (walked without recursion: bodies nest deep). */
function hasLoneSurrogate(doc: unknown): boolean {
  const wellFormed = (s: string) => (s as string & { isWellFormed(): boolean }).isWellFormed();
  const pending = [doc];
  while (pending.length > 0) {
    const v = pending.pop();
    if (typeof v === 'string' && !wellFormed(v)) return true;
    if (v !== null && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) {
        if (!wellFormed(k)) return true;
        pending.push(inner);
      }
    }
  }
  return false;
}

function eventFor(c: Case, garbage: string): WebhookEvent {
  const { raw, signedBytes } = wire(c);
  const values = signatureFor(c.signature, signedBytes, garbage);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (values.length > 0) headers[c.headerName] = values.join(', ');
  const isBase64Encoded = c.encoding !== 'text' || Boolean(c.body.bytes);
  const requestId = 'hostile';
  if (c.shape === 'rest-api') {
    const multi = values.length > 0 ? { [c.headerName]: values } : {};
    if (values.length > 0) headers[c.headerName] = values[values.length - 1] as string;
    return {
      httpMethod: c.method,
      headers,
      multiValueHeaders: multi,
      body: raw,
      isBase64Encoded,
      requestContext: { requestId },
    } as unknown as WebhookEvent;
  }
  if (c.shape === 'no-context') return { headers, body: raw, isBase64Encoded } as unknown as WebhookEvent;
  if (c.shape === 'odd-types')
    return { headers, body: raw, isBase64Encoded, requestContext: { requestId: 7, http: { method: 5 } } } as unknown as WebhookEvent;
  return {
    version: '2.0',
    rawPath: '/webhook',
    headers,
    body: raw,
    isBase64Encoded,
    requestContext: { requestId, http: { method: c.method, path: '/webhook' } },
  } as unknown as WebhookEvent;
}

// ---- The generators ---------------------------------------------------------------------------

/** A field value: mostly valid, sometimes another valid value with its own verdict, sometimes wrong. */
function field<T>(valid: T, others: { value: unknown; tag: string }[], wrong: unknown[]) {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant({ value: valid as unknown, tag: 'ok' }) },
    {
      weight: others.length > 0 ? 1 : 0,
      arbitrary: others.length > 0 ? fc.constantFrom(...others) : fc.constant({ value: valid as unknown, tag: 'ok' }),
    },
    { weight: 2, arbitrary: fc.constantFrom(...wrong).map((value) => ({ value, tag: 'bad' })) },
  );
}

const WRONG_TYPES = [MISSING, null, true, 'text', '', [], {}, [1], { a: 1 }, 0, -1, 1.5, 2 ** 53, -0];

function payloadArb(base: string): fc.Arbitrary<GeneratedBody> {
  const url = (key: string, prefix = '') => `${base}${prefix}/datafiles/${key}.json`;
  const urls = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('sdk_key', 'Key-9_x', 'a').map((k) => ({ value: [url(k), url(k, '/cdn')], tag: 'ok' })) },
    { weight: 1, arbitrary: fc.constant({ value: [url('auth/secure_key'), url('auth/secure_key', '/cdn')], tag: 'ok' }) },
    {
      weight: 1,
      arbitrary: fc.constant({
        value: [`https://cdn.optimizely.com/datafiles/cdn_key.json`, `https://cdn.optimizely.com/datafiles/cdn_key.json`],
        tag: 'ok',
      }),
    },
    {
      weight: 1,
      arbitrary: fc.constant({ value: [`${base}/json/${PROJECT_ID}.json`, `${base}/cdn/json/${PROJECT_ID}.json`], tag: 'legacy' }),
    },
    {
      weight: 3,
      arbitrary: fc
        .constantFrom<unknown>(
          'not a url',
          `https://evil.test/datafiles/k.json`,
          `${base.replace('http:', 'ftp:')}/datafiles/k.json`,
          `${base.replace('//', '//user:pw@')}/datafiles/k.json`,
          `http://127.0.0.1:1/datafiles/k.json`,
          `https://169.254.169.254/datafiles/k.json`,
          `${base}/other/k.json`,
          `${base}/datafiles/k.v2.json`,
          `${base}/datafiles/${'k'.repeat(129)}.json`,
          `${base}/datafiles/${'k'.repeat(2100)}.json`,
          `${base}/json/notdigits.json`,
          ...WRONG_TYPES,
        )
        .chain((wrongOne) =>
          fc.constantFrom(
            { value: [wrongOne, url('sdk_key', '/cdn')], tag: 'bad' },
            { value: [url('sdk_key'), wrongOne], tag: 'bad' },
            { value: [url('sdk_key'), url('other_key', '/cdn')], tag: 'bad' },
          ),
        ),
    },
  );
  const junk = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
  return fc
    .record({
      event: field(
        'project.datafile_updated',
        [
          { value: 'project.updated', tag: 'other' },
          { value: 'PROJECT.DATAFILE_UPDATED', tag: 'other' },
          { value: '', tag: 'other' },
        ],
        WRONG_TYPES.filter((v) => typeof v !== 'string'),
      ),
      project: field(Number(PROJECT_ID), [{ value: 42, tag: 'other' }], [...WRONG_TYPES, PROJECT_ID]),
      timestamp: field(1_468_447_113, [], [...WRONG_TYPES, '1468447113']),
      data: field({}, [], [MISSING, null, 'data', 5, [], [{}]]),
      revision: field(7, [{ value: 999_999_999_999, tag: 'ok' }], [...WRONG_TYPES, '7', 1_000_000_000_000]),
      environment: field(
        'Production',
        [
          { value: 'Staging', tag: 'ok' },
          { value: 'Development', tag: 'denied' },
          { value: MISSING, tag: 'denied' },
        ],
        [null, 5, [], {}, 'x'.repeat(201), 'Prod\ud800', '\udfff'],
      ),
      urls,
      junk,
      dataJunk: junk,
    })
    .map((f) => {
      const set = (o: Record<string, unknown>, k: string, v: unknown) => {
        if (v === MISSING) delete o[k];
        else o[k] = v;
      };
      const data: Record<string, unknown> = { ...f.dataJunk };
      set(data, 'revision', f.revision.value);
      set(data, 'environment', f.environment.value);
      const [originUrl, cdnUrl] = f.urls.value as unknown[];
      set(data, 'origin_url', originUrl);
      set(data, 'cdn_url', cdnUrl);
      const doc: Record<string, unknown> = { ...f.junk };
      set(doc, 'event', f.event.value);
      set(doc, 'project_id', f.project.value);
      set(doc, 'timestamp', f.timestamp.value);
      set(doc, 'data', f.data.tag === 'ok' ? data : f.data.value);
      let verdict: Expected;
      const anyBad =
        [f.project, f.timestamp, f.data].some((x) => x.tag === 'bad') ||
        (f.data.tag === 'ok' && [f.revision, f.environment, f.urls].some((x) => x.tag === 'bad'));
      if (f.event.tag === 'bad') verdict = bad();
      else if (f.event.tag === 'other') verdict = { statusCode: 202, code: 'ignored_event' };
      else if (anyBad) verdict = bad();
      else if (f.urls.tag === 'legacy' && f.project.tag !== 'ok') verdict = bad();
      else if (f.project.tag === 'other') verdict = { statusCode: 403, code: 'unknown_project' };
      else if (f.environment.tag === 'denied') verdict = { statusCode: 403, code: 'environment_not_allowed' };
      else verdict = 'valid';
      return { text: JSON.stringify(doc), verdict };
    });
}

const nested = fc
  .record({ depth: fc.integer({ min: 1, max: 40_000 }), open: fc.constantFrom('[', '{"a":'), close: fc.boolean() })
  .map(({ depth, open, close }) => ({
    text: open.repeat(depth) + (open === '[' ? '1' : '1') + (close ? (open === '[' ? ']' : '}').repeat(depth) : ''),
  }));
const oversized = fc
  .integer({ min: LIMIT - 50, max: LIMIT * 2 })
  .map((n) => ({ text: `{"event":"project.datafile_updated","pad":"${'x'.repeat(n)}"}` }));

function caseArb(base: string): fc.Arbitrary<Case> {
  const body: fc.Arbitrary<GeneratedBody> = fc.oneof(
    { weight: 10, arbitrary: payloadArb(base) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((text) => ({ text })) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => ({ text: JSON.stringify(v) ?? 'null' })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((a) => ({ bytes: Buffer.from(a) })) },
    { weight: 1, arbitrary: nested },
    { weight: 1, arbitrary: oversized },
  );
  return fc.record({
    shape: fc.oneof(
      { weight: 4, arbitrary: fc.constant('http-api') },
      { weight: 2, arbitrary: fc.constantFrom('rest-api', 'function-url') },
      { weight: 1, arbitrary: fc.constantFrom('no-context', 'odd-types') },
    ),
    method: fc.oneof(
      { weight: 12, arbitrary: fc.constant('POST') },
      { weight: 1, arbitrary: fc.constantFrom('post', 'GET', 'PUT', '', 'OPTIONS') },
    ),
    headerName: fc.constantFrom('x-hub-signature', 'X-Hub-Signature', 'X-HUB-SIGNATURE', 'x-HuB-sIgNaTuRe'),
    signature: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom<SignatureKind>('valid', 'valid-padded') },
      {
        weight: 3,
        arbitrary: fc.constantFrom<SignatureKind>(
          'uppercase',
          'wrong-secret',
          'other-body',
          'sha256',
          'truncated',
          'extended',
          'garbage',
          'empty',
          'missing',
          'repeated',
        ),
      },
    ),
    encoding: fc.constantFrom('text', 'text', 'base64', 'base64-flag-on-text'),
    body,
  }) as fc.Arbitrary<Case>;
}

// ---- The property -----------------------------------------------------------------------------

describe('hostile webhook requests', () => {
  it(`never answer 5xx, never touch storage or the network, and get the contract's 4xx (${RUNS} runs, seed ${SEED})`, async () => {
    // Arrange
    const handle = handler();
    const tally = new Map<string, number>();

    // Act + Assert, per generated request
    await fc.assert(
      fc.asyncProperty(caseArb(origin.url), fc.string({ maxLength: 60 }), async (c, garbage) => {
        if (c.signature === 'repeated' && c.shape !== 'rest-api') c.signature = 'missing';
        const expected = expectedFor(c);
        fc.pre(expected !== 'valid');
        const before = sends;

        const res = await handle(eventFor(c, garbage));

        const out = JSON.parse(res.body) as { error?: string; status?: string };
        expect({ statusCode: res.statusCode, code: out.error ?? out.status }).toEqual(expected);
        expect(res.headers['content-type']).toBe('application/json');
        expect(sends).toBe(before);
        tally.set(String(res.statusCode), (tally.get(String(res.statusCode)) ?? 0) + 1);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );

    // Assert: every class of answer was exercised; nothing was stored, fetched or resolved.
    expect([...tally.keys()].sort()).toEqual(['202', '400', '401', '403', '405', '413']);
    expect([...tally.values()].reduce((a, b) => a + b, 0)).toBe(RUNS);
    expect(sends).toBe(0);
    expect(origin.requests).toEqual([]);
    expect(lookups).toEqual([]);
    expect(await listObjects(stores)).toEqual([]);
    expect((await stores.dynamo.send(new ScanCommand({ TableName: stores.table }))).Items).toEqual([]);
  });
});
