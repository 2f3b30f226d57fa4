import { createWebhookApp } from '../../lib/app';
import { type LocalOrigin, startOrigin } from '../../local/origin';
import { PROJECT_ID } from '../support/datafiles';
import { captureLogger, fetchPolicyFor, serveRevision, testWebhookConfig } from '../support/ops';
import { freshStores, itemsFor, listObjects, type TestStores } from '../support/stores';
import { httpApiEvent, payload, SECRET } from '../support/webhooks';

/*
 * Signed bodies that are valid JSON but carry text chosen to break what comes after the signature:
 * strings that are not Unicode (S3 metadata and DynamoDB refuse them at write time) and SDK keys
 * named like Object.prototype members (a plain-object lookup would find inherited functions).
 */

let stores: TestStores;
let origin: LocalOrigin;
let logs: Record<string, unknown>[];

function app(accessTokens: Record<string, string> = {}) {
  const projects = { projects: { [PROJECT_ID]: { secrets: [SECRET], accessTokens } } };
  const config = testWebhookConfig(stores, fetchPolicyFor(origin), projects);
  return createWebhookApp(config, { s3: stores.s3, dynamo: stores.dynamo, logger: captureLogger(logs) });
}

beforeEach(async () => {
  stores = await freshStores();
  origin = await startOrigin();
  logs = [];
});
afterEach(async () => {
  await origin.close();
});

describe('a signed payload with a string that is not well-formed Unicode', () => {
  it.each([
    ['the environment', (text: string) => text.replace('"Production"', '"Prod\\ud800"')],
    ['the event name', (text: string) => text.replace('"project.datafile_updated"', '"project.datafile_updated\\udc00"')],
    ['an extra field', (text: string) => text.replace('{', '{"note":["\\udbff"],')],
  ])('in %s answers 400 invalid_payload, fetches nothing and stores nothing', async (_where, corrupt) => {
    // Arrange: the escape is in the raw JSON, as an attacker with a secret (or a bug upstream) would send it.
    serveRevision(origin, 3);
    const text = corrupt(payload({ revision: 3, origin: origin.url }));
    expect(text).toMatch(/\\ud[89a-f][0-9a-f]{2}/i);

    // Act: twice, as Optimizely would redeliver.
    const first = await app()(httpApiEvent(text));
    const again = await app()(httpApiEvent(text));

    // Assert
    for (const res of [first, again]) {
      expect({ status: res.statusCode, error: JSON.parse(res.body).error }).toEqual({ status: 400, error: 'invalid_payload' });
    }
    expect(origin.requests).toEqual([]);
    expect(await listObjects(stores)).toEqual([]);
    expect(await itemsFor(stores, 'sdk_key')).toEqual([]);
  });
});

describe('an SDK key named like an Object.prototype member', () => {
  const KEYS = ['constructor', '__proto__', 'toString'];
  // Parsed, not an object literal: in a literal `__proto__:` sets the prototype instead of a key.
  const TOKENS_JSON =
    '{"constructor":"proto-key-token-ctor-01","__proto__":"proto-key-token-dunder-02","toString":"proto-key-token-tostr-03"}';
  const TOKENS = new Map(Object.entries(JSON.parse(TOKENS_JSON) as Record<string, string>));

  it.each(KEYS)('%s with no token configured: the origin sees no Authorization header and the revision stores', async (key) => {
    // Arrange: another key has a token, so the project's token table is not empty.
    serveRevision(origin, 4, key);

    // Act
    const res = await app({ sdk_key: 'proto-key-token-ctor-01' })(httpApiEvent(payload({ revision: 4, key, origin: origin.url })));

    // Assert
    expect({ status: res.statusCode, body: JSON.parse(res.body) }).toEqual({
      status: 200,
      body: { status: 'updated', key, revision: 4, current: 4 },
    });
    expect(origin.requests.map((r) => [r.path, r.headers.authorization])).toEqual([[`/datafiles/${key}.json`, undefined]]);
    expect(await listObjects(stores, `datafiles/${key}/revisions/`)).toEqual([
      expect.stringMatching(new RegExp(`^datafiles/${key}/revisions/4-[0-9a-f]{64}\\.json$`)),
    ]);
  });

  it.each(KEYS)('%s with its own token configured: the origin sees exactly that token', async (key) => {
    // Arrange: built with JSON.parse so "__proto__" is an own key, as it is in the SSM document.
    serveRevision(origin, 5, key);
    const tokens = JSON.parse(TOKENS_JSON) as Record<string, string>;

    // Act
    const res = await app(tokens)(httpApiEvent(payload({ revision: 5, key, origin: origin.url })));

    // Assert
    expect(res.statusCode).toBe(200);
    expect(origin.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${TOKENS.get(key)}`]);
    expect(await listObjects(stores, `datafiles/${key}/revisions/`)).toEqual([
      expect.stringMatching(new RegExp(`^datafiles/${key}/revisions/5-[0-9a-f]{64}\\.json$`)),
    ]);
  });
});
