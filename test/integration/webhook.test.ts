import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createWebhookApp } from '../../lib/app';
import { body, type LocalOrigin, startOrigin, status } from '../../local/origin';
import { makeDatafile, PROJECT_ID } from '../support/datafiles';
import { captureLogger, fetchPolicyFor, TEST_PROJECTS, testWebhookConfig } from '../support/ops';
import { freshStores, itemsFor, listObjects, readObject, type TestStores } from '../support/stores';
import { httpApiEvent, payload, restApiEvent, SECRET } from '../support/webhooks';

let stores: TestStores;
let origin: LocalOrigin;
let logs: Record<string, unknown>[];

function app(projects: object = TEST_PROJECTS) {
  const config = testWebhookConfig(stores, fetchPolicyFor(origin), projects);
  return createWebhookApp(config, { s3: stores.s3, dynamo: stores.dynamo, logger: captureLogger(logs) });
}

function serveRevision(revision: number, key = 'sdk_key') {
  const text = makeDatafile({ revision });
  origin.serve(`/datafiles/${key}.json`, body(text));
  origin.serve(`/cdn/datafiles/${key}.json`, body(text));
  return text;
}

async function send(revision: number, opts: { key?: string; environment?: string } = {}) {
  const res = await app()(httpApiEvent(payload({ revision, origin: origin.url, ...opts })));
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
}

beforeEach(async () => {
  stores = await freshStores();
  origin = await startOrigin();
  logs = [];
});
afterEach(async () => {
  await origin.close();
});

describe('webhook sync', () => {
  it('stores a new revision: immutable object, alias, pointer and history', async () => {
    const text = serveRevision(5);

    const res = await send(5);

    expect(res).toEqual({ status: 200, body: { status: 'updated', key: 'sdk_key', revision: 5, current: 5 } });
    const sha = createHash('sha256').update(text).digest('hex');
    const object = await readObject(stores, `datafiles/sdk_key/revisions/5-${sha}.json`);
    expect(object?.body).toBe(text);
    expect(object?.metadata).toMatchObject({ sha256: sha, revision: '5', 'project-id': PROJECT_ID, environment: 'Production' });
    expect((await readObject(stores, 'datafiles/sdk_key/latest.json'))?.body).toBe(text);
    const items = await itemsFor(stores, 'sdk_key');
    expect(items.map((i) => i.sk?.S)).toEqual(['POINTER', 'REV#000000000005']);
    expect(items[0]).toMatchObject({
      revision: { N: '5' },
      sha256: { S: sha },
      s3Key: { S: `datafiles/sdk_key/revisions/5-${sha}.json` },
      pinned: { BOOL: false },
    });
  });

  it('answers a duplicate delivery with unchanged and neither fetches nor writes', async () => {
    serveRevision(5);
    await send(5);
    const fetches = origin.requests.length;
    const objects = await listObjects(stores);

    const res = await send(5);

    expect(res.body).toMatchObject({ status: 'unchanged', revision: 5, current: 5 });
    expect(origin.requests.length).toBe(fetches);
    expect(await listObjects(stores)).toEqual(objects);
  });

  it('keeps an out-of-order older revision in history without moving the pointer back', async () => {
    const seven = serveRevision(7);
    await send(7);
    serveRevision(6);

    const res = await send(6);

    expect(res.body).toMatchObject({ status: 'superseded', revision: 6, current: 7 });
    const items = await itemsFor(stores, 'sdk_key');
    expect(items.map((i) => i.sk?.S)).toEqual(['POINTER', 'REV#000000000006', 'REV#000000000007']);
    expect(items[0]?.revision).toEqual({ N: '7' });
    expect((await readObject(stores, 'datafiles/sdk_key/latest.json'))?.body).toBe(seven);
  });

  it('stores a newer datafile than announced under its real revision', async () => {
    const text = serveRevision(9);

    const res = await send(8);

    expect(res.body).toMatchObject({ status: 'updated', revision: 9 });
    expect(await listObjects(stores, 'datafiles/sdk_key/revisions/')).toEqual([
      `datafiles/sdk_key/revisions/9-${createHash('sha256').update(text).digest('hex')}.json`,
    ]);
  });

  it('answers 503 stale_datafile and stores nothing while Optimizely serves an older revision', async () => {
    serveRevision(3);

    const res = await send(4);

    expect(res).toEqual({ status: 503, body: expect.objectContaining({ error: 'stale_datafile' }) });
    expect(origin.requests.length).toBeGreaterThan(2);
    expect(await listObjects(stores)).toEqual([]);
    expect(await itemsFor(stores, 'sdk_key')).toEqual([]);
  });

  it('falls back to the CDN when the origin fails', async () => {
    const text = makeDatafile({ revision: 2 });
    origin.serve('/datafiles/sdk_key.json', status(500));
    origin.serve('/cdn/datafiles/sdk_key.json', body(text));

    const res = await send(2);

    expect(res.body).toMatchObject({ status: 'updated', revision: 2 });
  });

  it('retries a 5xx from both URLs and succeeds when the origin recovers', async () => {
    const text = makeDatafile({ revision: 2 });
    origin.serve('/datafiles/sdk_key.json', status(503), status(502), body(text));
    origin.serve('/cdn/datafiles/sdk_key.json', status(500));

    const res = await send(2);

    expect(res.body).toMatchObject({ status: 'updated', revision: 2 });
  });

  it('refuses a datafile the SDK would reject with 502 invalid_datafile', async () => {
    const v5 = makeDatafile({ revision: 2, version: '5' });
    origin.serve('/datafiles/sdk_key.json', body(v5));
    origin.serve('/cdn/datafiles/sdk_key.json', body(v5));

    const res = await send(2);

    expect(res).toEqual({ status: 502, body: expect.objectContaining({ error: 'invalid_datafile' }) });
    expect(await listObjects(stores)).toEqual([]);
  });

  it('refuses a datafile of another project', async () => {
    const other = makeDatafile({ revision: 2, projectId: '42' });
    origin.serve('/datafiles/sdk_key.json', body(other));
    origin.serve('/cdn/datafiles/sdk_key.json', body(other));

    expect((await send(2)).body).toMatchObject({ error: 'invalid_datafile' });
  });

  it('answers 502 datafile_fetch_failed when neither URL serves the datafile', async () => {
    expect(await send(2)).toEqual({ status: 502, body: expect.objectContaining({ error: 'datafile_fetch_failed' }) });
  });

  it('sends the access token of a secure environment as a Bearer token', async () => {
    serveRevision(2, 'secure_key');

    await send(2, { key: 'secure_key' });

    expect(origin.requests[0]?.headers.authorization).toBe('Bearer token-zyxwvutsrq');
  });

  it('accepts every active secret during a rotation and REST API / base64 events', async () => {
    serveRevision(2);
    const text = payload({ revision: 2, origin: origin.url });
    const rotating = { projects: { [PROJECT_ID]: { secrets: ['old-secret-abcdefgh', SECRET] } } };

    const a = await app(rotating)(httpApiEvent(text, { secret: 'old-secret-abcdefgh', base64: true }));
    const b = await app(rotating)(restApiEvent(text, { header: 'X-HUB-SIGNATURE' }));

    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(JSON.parse(b.body).status).toBe('unchanged');
  });
});

describe('webhook refusals', () => {
  it.each([
    ['a wrong secret', { secret: 'wrong-secret-123456' }],
    ['a missing signature', { signature: '' }],
    ['a truncated signature', { signature: 'sha1=abc' }],
    ['an uppercase hex signature', { signature: 'SHA1=0000000000000000000000000000000000000000' }],
  ])('answers 401 invalid_signature for %s, without fetching', async (_name, opts) => {
    serveRevision(2);

    const res = await app()(httpApiEvent(payload({ revision: 2, origin: origin.url }), opts));

    expect(res.statusCode).toBe(401);
    expect(JSON.parse(res.body).error).toBe('invalid_signature');
    expect(origin.requests).toEqual([]);
  });

  it('answers 403 unknown_project when a configured secret signs a payload for another project', async () => {
    serveRevision(2);

    const res = await app()(httpApiEvent(payload({ revision: 2, origin: origin.url, projectId: 999 })));

    expect(JSON.parse(res.body)).toMatchObject({ error: 'unknown_project' });
    expect(res.statusCode).toBe(403);
    expect(origin.requests).toEqual([]);
  });

  it('answers 403 environment_not_allowed outside the allow-list', async () => {
    serveRevision(2);
    const projects = { projects: { [PROJECT_ID]: { secrets: [SECRET], environments: ['Production'] } } };

    const res = await app(projects)(httpApiEvent(payload({ revision: 2, origin: origin.url, environment: 'Staging' })));

    expect([res.statusCode, JSON.parse(res.body).error]).toEqual([403, 'environment_not_allowed']);
    expect(origin.requests).toEqual([]);
  });

  it('acknowledges and ignores other events', async () => {
    const res = await app()(httpApiEvent(payload({ revision: 2, origin: origin.url, event: 'project.updated' })));

    expect([res.statusCode, JSON.parse(res.body).status]).toEqual([202, 'ignored_event']);
  });

  it('answers 400 invalid_json for a signed body that is not JSON', async () => {
    const res = await app()(httpApiEvent('{"project_id": 5088239376138240,'));

    expect([res.statusCode, JSON.parse(res.body).error]).toEqual([400, 'invalid_json']);
  });

  it('answers 413 payload_too_large above 64 KiB', async () => {
    const res = await app()(httpApiEvent(`{"pad":"${'x'.repeat(70_000)}"}`));

    expect([res.statusCode, JSON.parse(res.body).error]).toEqual([413, 'payload_too_large']);
  });

  it('writes one structured log line per webhook, without secrets', async () => {
    serveRevision(2);

    await send(2);

    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      m: 'webhook',
      project: PROJECT_ID,
      environment: 'Production',
      key: 'sdk_key',
      revision: 2,
      outcome: 'updated',
    });
    expect(typeof logs[0]?.durationMs).toBe('number');
    expect(JSON.stringify(logs)).not.toContain(SECRET);
  });
});

describe('concurrent deliveries', () => {
  it('end with the pointer at the highest revision, full history and latest.json matching', async () => {
    const revisions = [4, 9, 1, 7, 3, 10, 2, 8, 6, 5];
    const texts = new Map(revisions.map((r) => [r, makeDatafile({ revision: r })]));
    // Each delivery's fetch returns the revision it announces (the query string says which), as
    // when deliveries race each other and the updates they announce.
    const byQuery = (req: IncomingMessage, res: ServerResponse) => {
      const rev = Number(new URL(req.url ?? '', 'http://x').searchParams.get('rev'));
      body(texts.get(rev) as string)(req, res);
    };
    origin.serve('/datafiles/sdk_key.json', byQuery);
    const handler = app();

    const responses = await Promise.all(
      [...revisions, ...revisions].map((r) => handler(httpApiEvent(payload({ revision: r, origin: origin.url, query: `?rev=${r}` })))),
    );

    expect(responses.filter((r) => r.statusCode !== 200).map((r) => r.body)).toEqual([]);
    const items = await itemsFor(stores, 'sdk_key');
    expect(items[0]?.revision).toEqual({ N: '10' });
    expect(items).toHaveLength(11);
    expect((await readObject(stores, 'datafiles/sdk_key/latest.json'))?.body).toBe(texts.get(10));
  });
});
