import type { DatafileReader, DatafileReaderOptions } from '../../../lib/reader';
import { createDatafileReaderWith } from '../../../lib/reader/core';
import { FakeAws } from './fake-aws';

/** Per-key memory is bounded by maxKeys: least recently used keys go, and simply reload. */
let aws: FakeAws;
let reader: DatafileReader;
let clock: number;

function newReader(options: Partial<DatafileReaderOptions> = {}): DatafileReader {
  return createDatafileReaderWith(
    { table: 't', bucket: 'b', dynamo: aws.dynamo, s3: aws.s3, maxAgeMs: 60_000, logger: () => {}, ...options },
    { now: () => clock },
  );
}

beforeEach(() => {
  aws = new FakeAws();
  clock = 1_000_000;
  reader = newReader({ maxKeys: 3 });
});

afterEach(async () => {
  await reader.close();
});

describe('reader eviction › maxKeys', () => {
  it('drops the least recently used key past maxKeys; it reloads on its next get', async () => {
    for (const key of ['k1', 'k2', 'k3', 'k4']) aws.publish(key, 1, `{"revision":"1","k":"${key}"}`);
    await reader.get('k1');
    await reader.get('k2');
    await reader.get('k3');
    await reader.get('k1');
    await reader.get('k4');
    const before = aws.sent.length;

    await reader.get('k1');
    await reader.get('k3');
    await reader.get('k4');
    const keptCalls = aws.sent.length - before;
    const reloaded = await reader.get('k2');

    expect(keptCalls).toBe(0);
    expect(aws.sent.slice(before)).toEqual(['GetItem', 'GetObject']);
    expect(reloaded).toMatchObject({ key: 'k2', revision: 1, stale: false });
  });

  it('forgets a flood of unknown keys: the first ones are asked for again', async () => {
    const flood = Array.from({ length: 50 }, (_, i) => `unknown_${i}`);
    for (const key of flood) await reader.get(key).catch(() => undefined);
    const before = aws.sent.length;

    await reader.get('unknown_49').catch(() => undefined);
    await reader.get('unknown_0').catch(() => undefined);

    expect(before).toBe(50);
    expect(aws.sent.slice(before)).toEqual(['GetItem']);
  });

  it('still settles an in-flight refresh whose key was evicted meanwhile', async () => {
    await reader.close();
    reader = newReader({ maxKeys: 1 });
    const a = aws.publish('key_a', 7, '{"revision":"7"}');
    aws.publish('key_b', 8, '{"revision":"8"}');
    const release = aws.hold();

    const pendingA = reader.get('key_a');
    const pendingB = reader.get('key_b');
    release();
    const [resultA, resultB] = await Promise.all([pendingA, pendingB]);
    const before = aws.sent.length;
    const again = await reader.get('key_a');

    expect(resultA).toMatchObject({ key: 'key_a', revision: 7, datafile: a.text, stale: false });
    expect(resultB).toMatchObject({ key: 'key_b', revision: 8, stale: false });
    expect(again).toMatchObject({ key: 'key_a', revision: 7 });
    expect(aws.sent.slice(before)).toEqual(['GetItem', 'GetObject']);
  });

  it('never evicts a key with a change listener, and evicts it again once unsubscribed', async () => {
    await reader.close();
    reader = newReader({ maxKeys: 1 });
    for (const key of ['watched', 'other', 'third']) aws.publish(key, 1, `{"revision":"1","k":"${key}"}`);
    const unsubscribe = reader.onChange('watched', () => {});
    await reader.get('watched');
    await reader.get('other');
    const before = aws.sent.length;

    await reader.get('watched');
    const whileWatched = aws.sent.length - before;
    unsubscribe();
    await reader.get('third');
    await reader.get('watched');

    expect(whileWatched).toBe(0);
    expect(aws.sent.slice(before)).toEqual(['GetItem', 'GetObject', 'GetItem', 'GetObject']);
  });

  it('tells a listener about a new revision even after other keys came and went', async () => {
    await reader.close();
    reader = newReader({ maxKeys: 1 });
    aws.publish('watched', 1, '{"revision":"1"}');
    aws.publish('other', 1, '{"revision":"1"}');
    const seen: number[][] = [];
    reader.onChange('watched', (current, previous) => seen.push([previous.revision, current.revision]));
    await reader.get('watched');
    await reader.get('other');
    aws.publish('watched', 2, '{"revision":"2"}');

    clock += 60_000;
    await reader.get('watched');

    expect(seen).toEqual([[1, 2]]);
  });
});
