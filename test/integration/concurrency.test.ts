import type { IncomingMessage, ServerResponse } from 'node:http';
import { createWebhookApp } from '../../lib/app';
import { aliasObjectKey } from '../../lib/layout';
import { body, type LocalOrigin, startOrigin } from '../../local/origin';
import { makeDatafile } from '../support/datafiles';
import { checkInvariants, startReaderProbe, stopAllProbes, storedObjects } from '../support/invariants';
import { fetchPolicyFor, testWebhookConfig } from '../support/ops';
import { freshStores, readObject, type TestStores } from '../support/stores';
import { httpApiEvent, payload } from '../support/webhooks';

let stores: TestStores;
let origin: LocalOrigin;

beforeAll(async () => {
  stores = await freshStores();
  origin = await startOrigin();
});
afterEach(stopAllProbes);
afterAll(async () => {
  await origin.close();
});

function app() {
  // Generous fetch timeouts: 130 deliveries at once on a shared 2-core machine are slow, not faulty;
  // a timeout here would be load, not a race (fetch faults are faults.test.ts's subject).
  const slack = { connectTimeoutMs: 10_000, attemptTimeoutMs: 20_000, budgetMs: 45_000 };
  const config = testWebhookConfig(stores, fetchPolicyFor(origin, slack));
  return createWebhookApp(config, { s3: stores.s3, dynamo: stores.dynamo });
}

/** Serve each key's datafiles by the revision the query string names (each delivery fetches its own). */
function servePerRevision(key: string): (revision: number) => string {
  const text = (revision: number) => makeDatafile({ revision, flags: { [`flag_${revision}`]: revision % 2 === 0 } });
  const responder = (req: IncomingMessage, res: ServerResponse) => {
    const revision = Number(new URL(req.url ?? '', 'http://x').searchParams.get('rev'));
    body(text(revision))(req, res);
  };
  origin.serve(`/datafiles/${key}.json`, responder);
  origin.serve(`/cdn/datafiles/${key}.json`, responder);
  return text;
}

/** A seeded shuffle, so a failing order can be replayed. */
function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

// Jest's per-test limit, not an assertion: 130 concurrent deliveries on a shared 2-core machine can
// take minutes, and a test cut off by load says nothing about races.
const LOADED_MACHINE_MS = 300_000;

describe('concurrent deliveries', () => {
  it(
    'of 100 shuffled revisions plus duplicates for one key: no 5xx, pointer at the maximum, history complete, alias matching',
    async () => {
      // Arrange
      const key = 'race_one';
      const text = servePerRevision(key);
      const duplicates = shuffle(range(100), 7).slice(0, 30);
      const deliveries = shuffle([...range(100), ...duplicates], 42);
      const handler = app();
      const reader = startReaderProbe(stores, key);

      // Act
      const responses = await Promise.all(
        deliveries.map((revision) => handler(httpApiEvent(payload({ revision, key, origin: origin.url, query: `?rev=${revision}` })))),
      );

      // Assert
      expect(deliveries.length).toBeGreaterThanOrEqual(130);
      expect(responses.filter((r) => r.statusCode !== 200).map((r) => r.body)).toEqual([]);
      const statuses = responses.map((r) => JSON.parse(r.body).status as string);
      expect(statuses.filter((s) => s === 'updated').length).toBeGreaterThan(0);
      expect(new Set(statuses)).toEqual(new Set(statuses.filter((s) => ['updated', 'unchanged', 'superseded'].includes(s))));
      expect(await checkInvariants(stores, key, { aliasConverged: true })).toEqual({ violations: [], pointer: 100, history: range(100) });
      expect(await storedObjects(stores, key)).toEqual(range(100));
      const seen = await reader.stop();
      expect(seen.misses).toEqual([]);
      expect(seen.reads).toBeGreaterThan(0);
      expect((await readObject(stores, aliasObjectKey(key)))?.body).toBe(text(100));
    },
    LOADED_MACHINE_MS,
  );

  it(
    'of several keys interleaved: each key ends at its own maximum with its own complete history',
    async () => {
      // Arrange
      const keys = { race_a: 40, race_b: 25, race_c: 30, race_d: 15 };
      for (const key of Object.keys(keys)) servePerRevision(key);
      const all = Object.entries(keys).flatMap(([key, n]) =>
        [...range(n), ...range(n).filter((r) => r % 4 === 0)].map((revision) => ({ key, revision })),
      );
      const deliveries = shuffle(all, 2026);
      const handler = app();

      // Act
      const responses = await Promise.all(
        deliveries.map(({ key, revision }) =>
          handler(httpApiEvent(payload({ revision, key, origin: origin.url, query: `?rev=${revision}` }))),
        ),
      );

      // Assert
      expect(deliveries.length).toBeGreaterThanOrEqual(100);
      expect(responses.filter((r) => r.statusCode !== 200).map((r) => r.body)).toEqual([]);
      for (const [key, n] of Object.entries(keys)) {
        expect(await checkInvariants(stores, key, { aliasConverged: true })).toEqual({ violations: [], pointer: n, history: range(n) });
      }
    },
    LOADED_MACHINE_MS,
  );
});
