import type { IncomingMessage, ServerResponse } from 'node:http';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { DynamoLedger } from '../../lib/aws/dynamo-ledger';
import type { ReconcileSummary } from '../../lib/sync/reconcile';
import { body } from '../../local/origin';
import { makeDatafile } from '../support/datafiles';
import { cli, eventsOf, integrityApp, integrityReconcile, pointerItem, send, whatReadersSee } from '../support/integrity';
import { checkInvariants, sha256 } from '../support/invariants';
import { deliver, startOpsEnv } from '../support/ops';
import { corruptObject, publish } from '../support/publish';

let env: Awaited<ReturnType<typeof startOpsEnv>>;

beforeEach(async () => {
  env = await startOpsEnv();
});
afterEach(() => env.close());

/** Two different bodies announced under one revision (same number, different flags). */
function twoBodies(revision: number) {
  const a = makeDatafile({ revision, flags: { variant_a: true } });
  const b = makeDatafile({ revision, flags: { variant_b: true } });
  return { a, b, sha: { a: sha256(a), b: sha256(b) } };
}

/** Serve `key` by the `body` query parameter (`a` or `b`); without one, serve `plain`. */
function serveByQuery(key: string, bodies: Record<string, string>, plain?: string) {
  const responder = (req: IncomingMessage, res: ServerResponse) => {
    const pick = new URL(req.url ?? '', 'http://x').searchParams.get('body');
    const text = pick ? bodies[pick] : plain;
    if (text === undefined) throw new Error(`origin: nothing to serve for ${req.url}`);
    body(text)(req, res);
  };
  env.origin.serve(`/datafiles/${key}.json`, responder);
  env.origin.serve(`/cdn/datafiles/${key}.json`, responder);
}

const conflictLogs = () => env.logs.filter((l) => l.level === 'warn' && l.m === 'revision conflict');

describe('two bodies announced under one revision', () => {
  it('delivered one after the other: the first wins; a redelivery is a duplicate, a fetch of other bytes answers 409', async () => {
    // Arrange: revision 5 stored with body a; Optimizely then serves revision 5 with body b.
    const key = 'conflict_seq';
    const { a, b, sha } = twoBodies(5);
    env.origin.serve(`/datafiles/${key}.json`, body(a));
    const handler = integrityApp(env);
    const first = await send(handler, env, key, 5);
    env.origin.serve(`/datafiles/${key}.json`, body(b));
    const fetchesBefore = env.origin.requests.length;

    // Act: a redelivery of revision 5 (no fetch: history has it), then a webhook for revision 4
    // whose fetch returns the other revision-5 body (Optimizely already serves a newer revision).
    const redelivery = await send(handler, env, key, 5);
    const fetchesOfRedelivery = env.origin.requests.length - fetchesBefore;
    const second = await send(handler, env, key, 4);

    // Assert
    expect([first.status, first.body.status]).toEqual([200, 'updated']);
    expect([redelivery.status, redelivery.body.status, fetchesOfRedelivery]).toEqual([200, 'unchanged', 0]);
    expect([second.status, second.body.error]).toEqual([409, 'revision_conflict']);
    expect(second.body.message).toMatch(/already stored with other bytes/);
    expect(conflictLogs()).toEqual([expect.objectContaining({ key, revision: 5, recordedSha256: sha.a, fetchedSha256: sha.b })]);
    expect(await whatReadersSee(env, key, 5)).toEqual({
      historySha256: sha.a,
      objectSha256: sha.a,
      pointerSha256: sha.a,
      aliasSha256: sha.a,
      readerSha256: sha.a,
    });
    expect((await checkInvariants(env.stores, key, { aliasConverged: true })).violations).toEqual([]);
    expect(eventsOf(env, key).map((e) => e.revision)).toEqual([5]);
    expect(await cli(env, 'verify')).toMatchObject({ code: 0, out: expect.stringMatching(/^OK: 1 key/) });
  });

  it('delivered ten times at once, alternating bodies: exactly one body wins everywhere; losers get 409', async () => {
    // Arrange
    const key = 'conflict_race';
    const { a, b, sha } = twoBodies(7);
    serveByQuery(key, { a, b });
    const picks = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 'a' : 'b') as 'a' | 'b');
    const handler = integrityApp(env);

    // Act
    const answers = await Promise.all(picks.map((pick) => send(handler, env, key, 7, `?body=${pick}`)));

    // Assert: one winner; every answer a 200 (updated once, else unchanged) or a loser's 409.
    const seen = await whatReadersSee(env, key, 7);
    const winner = seen.historySha256 === sha.a ? 'a' : 'b';
    expect([sha.a, sha.b]).toContain(seen.historySha256);
    expect(seen).toEqual({
      historySha256: sha[winner],
      objectSha256: sha[winner],
      pointerSha256: sha[winner],
      aliasSha256: sha[winner],
      readerSha256: sha[winner],
    });
    const outcomes = answers.map((r) => (r.status === 200 ? r.body.status : `${r.status} ${r.body.error}`));
    expect(outcomes.filter((o) => o === 'updated')).toHaveLength(1);
    expect(outcomes).toEqual(outcomes.filter((o) => ['updated', 'unchanged', '409 revision_conflict'].includes(String(o))));
    const conflicted = picks.filter((_, i) => outcomes[i] === '409 revision_conflict');
    expect(conflicted.every((pick) => pick !== winner)).toBe(true);
    expect(conflictLogs()).toHaveLength(conflicted.length);
    for (const log of conflictLogs())
      expect(log).toMatchObject({ recordedSha256: sha[winner], fetchedSha256: sha[winner === 'a' ? 'b' : 'a'] });
    expect((await checkInvariants(env.stores, key, { aliasConverged: true })).violations).toEqual([]);
    // At least once: a same-bytes racer may finish (and re-announce) the winner's move; one id.
    expect(new Set(eventsOf(env, key).map((e) => `${e.revision} ${e.eventId}`))).toEqual(
      new Set([`7 ${(await pointerItem(env, key)).eventId}`]),
    );
    expect((await cli(env, 'verify')).code).toBe(0);
  });

  it('one from a webhook racing one from reconcile: the first recorded wins, the other is refused or finds it stored', async () => {
    // Arrange: four keys at revision 1; Optimizely then serves revision 2 with one body to the
    // webhook and another to reconcile (plain URL), and both run at once.
    const keys = ['race_0', 'race_1', 'race_2', 'race_3'];
    const bodies = twoBodies(2);
    const webhookBody = bodies.a;
    const reconcileBody = bodies.b;
    for (const key of keys) await deliver(env, 1, key);
    for (const key of keys) serveByQuery(key, { a: webhookBody }, reconcileBody);
    const handler = integrityApp(env);

    // Act
    const [summary, ...answers] = await Promise.all([
      // A run that lost every race has failed every key, and says so by throwing (Lambda Errors);
      // its summary line is in the log either way.
      integrityReconcile(env)().catch(() => env.logs.find((l) => l.m === 'reconcile') as unknown as ReconcileSummary),
      ...keys.map((key) => send(handler, env, key, 2, '?body=a')),
    ]);

    // Assert, per key: whichever body was recorded first is the one every reader has.
    expect(summary.keys).toBe(keys.length);
    const refused = new Set(summary.failures.filter((f) => f.error === 'revision_conflict').map((f) => f.key));
    expect(summary.failures.filter((f) => f.error !== 'revision_conflict')).toEqual([]);
    for (const [i, key] of keys.entries()) {
      const answer = answers[i];
      const seen = await whatReadersSee(env, key, 2);
      const winner = seen.historySha256;
      expect(seen).toEqual({
        historySha256: winner,
        objectSha256: winner,
        pointerSha256: winner,
        aliasSha256: winner,
        readerSha256: winner,
      });
      if (winner === sha256(webhookBody)) {
        expect([answer?.status, answer?.body.status]).toEqual([200, 'updated']);
        expect(refused.has(key)).toBe(true);
      } else {
        expect(winner).toBe(sha256(reconcileBody));
        expect(refused.has(key)).toBe(false);
        expect([200, 409]).toContain(answer?.status);
        expect(answer?.body.status ?? answer?.body.error).toBe(answer?.status === 200 ? 'unchanged' : 'revision_conflict');
      }
      expect((await checkInvariants(env.stores, key, { aliasConverged: true })).violations).toEqual([]);
      expect(new Set(eventsOf(env, key).map((e) => e.revision))).toEqual(new Set([1, 2]));
      expect(
        new Set(
          eventsOf(env, key)
            .filter((e) => e.revision === 2)
            .map((e) => e.eventId),
        ).size,
      ).toBe(1);
    }
    expect(summary.counts.updated + summary.counts.failed).toBe(keys.length);
    expect((await cli(env, 'verify')).code).toBe(0);
  });
});

describe('objects stored before content addressing', () => {
  it('stay readable: readers load them, verify is clean, a pin back to one works, webhooks move on', async () => {
    // Arrange: revisions 1 and 2 at the old `revisions/{revision}.json` keys, as an older version wrote them.
    const key = 'sdk_key';
    const one = await publish(env.stores, key, 1, { legacyLayout: true, flags: { old_one: true } });
    const two = await publish(env.stores, key, 2, { legacyLayout: true, flags: { old_two: true } });
    // A redelivery finishes the move publish() left unsettled (latest.json), without fetching.
    expect((await deliver(env, 2, key, { settleGraceMs: 0 })).body.status).toBe('unchanged');

    // Act + Assert: each step reads or moves through the pointer's recorded s3Key.
    expect((await pointerItem(env, key)).s3Key).toBe(`datafiles/${key}/revisions/2.json`);
    expect((await whatReadersSee(env, key, 2)).readerSha256).toBe(two.sha256);
    expect((await cli(env, 'verify')).code).toBe(0);
    expect((await cli(env, 'pin', key, '1')).code).toBe(0);
    expect((await whatReadersSee(env, key, 1)).readerSha256).toBe(one.sha256);
    expect((await cli(env, 'unpin', key)).code).toBe(0);
    const third = await deliver(env, 3);
    expect(third.body.status).toBe('updated');
    expect((await pointerItem(env, key)).s3Key).toMatch(new RegExp(`^datafiles/${key}/revisions/3-[0-9a-f]{64}\\.json$`));
    expect((await checkInvariants(env.stores, key, { aliasConverged: true })).violations).toEqual([]);
  });
});

describe('pin and unpin refuse a target whose stored bytes are damaged', () => {
  async function storedAt(key: string, revision: number) {
    const rev = await new DynamoLedger({ table: env.stores.table, client: env.stores.dynamo }).getRevision(key, revision);
    if (!rev) throw new Error(`revision ${revision} of ${key} is not stored`);
    return rev;
  }

  it('pin to a revision whose object is missing: exit 6, the reason on stderr, the pointer unchanged', async () => {
    // Arrange
    await deliver(env, 1);
    await deliver(env, 2);
    const target = await storedAt('sdk_key', 1);
    await env.stores.s3.send(new DeleteObjectCommand({ Bucket: env.stores.bucket, Key: target.s3Key }));
    const before = await pointerItem(env, 'sdk_key');

    // Act
    const res = await cli(env, 'pin', 'sdk_key', '1');

    // Assert
    expect(res).toMatchObject({ code: 6, out: '' });
    expect(res.err).toContain(`Revision 1 of sdk_key: its object ${target.s3Key} is missing; refusing to point at it.`);
    expect(await pointerItem(env, 'sdk_key')).toEqual(before);
    expect(before).toMatchObject({ revision: 2, pinned: false });
    expect(eventsOf(env, 'sdk_key').map((e) => e.reason)).toEqual(['webhook', 'webhook']);
  });

  it('pin to a revision whose object holds other bytes: exit 6, both hashes named, the pointer unchanged', async () => {
    // Arrange
    await deliver(env, 1);
    await deliver(env, 2);
    const target = await storedAt('sdk_key', 1);
    await corruptObject(env.stores, 'sdk_key', 1);
    const before = await pointerItem(env, 'sdk_key');

    // Act
    const res = await cli(env, 'pin', 'sdk_key', '1');

    // Assert
    expect(res.code).toBe(6);
    expect(res.err).toContain(`${target.s3Key} has sha256 ${sha256('{"corrupted":true}')}, recorded ${target.sha256}; refusing`);
    expect(await pointerItem(env, 'sdk_key')).toEqual(before);
  });

  it('unpin when the newest revision is corrupt: exit 6, the pointer stays pinned where it was', async () => {
    // Arrange: pinned at 1, revision 3 arrives (history only), then its object is damaged.
    await deliver(env, 1);
    await deliver(env, 2);
    expect((await cli(env, 'pin', 'sdk_key', '1')).code).toBe(0);
    await deliver(env, 3);
    await corruptObject(env.stores, 'sdk_key', 3);
    const before = await pointerItem(env, 'sdk_key');

    // Act
    const res = await cli(env, 'unpin', 'sdk_key');

    // Assert
    expect(res.code).toBe(6);
    expect(res.err).toMatch(/Revision 3 of sdk_key: .* has sha256 [0-9a-f]{64}, recorded [0-9a-f]{64}; refusing/);
    expect(before).toMatchObject({ revision: 1, pinned: true });
    expect(await pointerItem(env, 'sdk_key')).toEqual(before);
    expect(eventsOf(env, 'sdk_key').map((e) => e.reason)).toEqual(['webhook', 'webhook', 'pin']);
  });

  it('documents exit code 6 in the usage text', async () => {
    const res = await cli(env, '--help');

    expect(res.out).toMatch(/6 refused: the target's stored bytes are missing or corrupt/);
  });
});
