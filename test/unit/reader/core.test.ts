import {
  DatafileIntegrityError,
  DatafileNotFoundError,
  type DatafileReader,
  type DatafileReaderOptions,
  type DatafileResult,
  DatafileUnavailableError,
  InvalidKeyError,
  type ReaderLogEvent,
} from '../../../lib/reader';
import { createDatafileReaderWith } from '../../../lib/reader/core';
import { FakeAws } from './fake-aws';

// lib/reader/core.ts (the reader behind createDatafileReader) against in-memory AWS stand-ins
// (./fake-aws) and a fake clock: no Java, no network. Each part has its own reader settings.

/** The reader's freshness rules. */
describe('reader core › freshness', () => {
  const MAX_AGE = 1000;
  let aws: FakeAws;
  let clock: number;
  let logs: ReaderLogEvent[];
  let reader: DatafileReader;

  function doc(revision: number): string {
    return JSON.stringify({ version: '4', revision: String(revision) });
  }

  function newReader(options: Partial<DatafileReaderOptions> = {}): DatafileReader {
    return createDatafileReaderWith(
      { table: 't', bucket: 'b', dynamo: aws.dynamo, s3: aws.s3, maxAgeMs: MAX_AGE, logger: (e) => logs.push(e), ...options },
      { now: () => clock },
    );
  }

  beforeEach(() => {
    aws = new FakeAws();
    clock = 5_000_000;
    logs = [];
    reader = newReader();
  });

  afterEach(async () => {
    jest.useRealTimers();
    await reader.close();
  });

  describe('the window', () => {
    it('answers inside maxAgeMs from memory with no request', async () => {
      aws.publish('sdk_key', 1, doc(1));
      const first = await reader.get('sdk_key');
      const before = aws.sent.length;

      clock += MAX_AGE - 1;
      const again = await reader.get('sdk_key');

      expect(again).toBe(first);
      expect(aws.sent.length).toBe(before);
    });

    it('revalidates after the window with exactly one GetItem and no GetObject when the revision is unchanged', async () => {
      aws.publish('sdk_key', 1, doc(1));
      const first = await reader.get('sdk_key');
      const before = aws.sent.length;

      clock += MAX_AGE;
      const again = await reader.get('sdk_key');

      expect(again).toBe(first);
      expect(aws.sent.slice(before)).toEqual(['GetItem']);
    });

    it('downloads a changed revision once, checks its sha256 and tells listeners once', async () => {
      aws.publish('sdk_key', 1, doc(1));
      await reader.get('sdk_key');
      const changes: [DatafileResult, DatafileResult][] = [];
      reader.onChange('sdk_key', (current, previous) => changes.push([current, previous]));
      const two = aws.publish('sdk_key', 2, doc(2));
      const before = aws.sent.length;

      clock += MAX_AGE;
      const updated = await reader.get('sdk_key');
      clock += MAX_AGE;
      await reader.get('sdk_key');

      expect(updated).toMatchObject({ revision: 2, datafile: two.text, sha256: two.sha256, stale: false, source: 'store' });
      expect(aws.sent.slice(before)).toEqual(['GetItem', 'GetObject', 'GetItem']);
      expect(changes.map(([c, p]) => [p.revision, c.revision])).toEqual([[1, 2]]);
    });

    it('shares one in-flight refresh between concurrent callers', async () => {
      aws.publish('sdk_key', 1, doc(1));
      const release = aws.hold();

      const pending = Array.from({ length: 20 }, () => reader.get('sdk_key'));
      release();
      const results = await Promise.all(pending);

      expect(new Set(results).size).toBe(1);
      expect(aws.sent).toEqual(['GetItem', 'GetObject']);
    });
  });

  describe('failures', () => {
    it('serves the last good datafile as stale on a store error and retries only after the window', async () => {
      aws.publish('sdk_key', 1, doc(1));
      await reader.get('sdk_key');
      aws.failure = new Error('connection reset');

      clock += MAX_AGE;
      const stale = await reader.get('sdk_key');
      const callsAfterFailure = aws.sent.length;
      clock += MAX_AGE - 1;
      const stillStale = await reader.get('sdk_key');
      const callsInsideWindow = aws.sent.length;
      aws.failure = undefined;
      clock += 1;
      const recovered = await reader.get('sdk_key');

      expect(stale).toMatchObject({ revision: 1, stale: true, source: 'store' });
      expect(stillStale).toBe(stale);
      expect(callsInsideWindow).toBe(callsAfterFailure);
      expect(recovered).toMatchObject({ revision: 1, stale: false });
      expect(logs).toContainEqual(
        expect.objectContaining({ level: 'warn', message: 'serving stale datafile', code: 'datafile_unavailable' }),
      );
    });

    it('rejects with a typed error keeping the cause when nothing was ever loaded, and does not ask again inside the window', async () => {
      const cause = new Error('connection reset');
      aws.failure = cause;

      const first = reader.get('sdk_key');
      await expect(first).rejects.toBeInstanceOf(DatafileUnavailableError);
      await expect(first).rejects.toMatchObject({ code: 'datafile_unavailable', key: 'sdk_key', cause });
      const before = aws.sent.length;
      const again = reader.get('sdk_key');

      await expect(again).rejects.toBeInstanceOf(DatafileUnavailableError);
      expect(aws.sent.length).toBe(before);
    });

    it('rejects with DatafileNotFoundError when no pointer exists', async () => {
      const result = reader.get('missing_key');

      await expect(result).rejects.toBeInstanceOf(DatafileNotFoundError);
      expect(aws.sent).toEqual(['GetItem']);
    });

    it('serves a bootstrap datafile as stale until the store answers, then the stored one', async () => {
      await reader.close();
      reader = newReader({ bootstrap: { sdk_key: doc(4) } });
      aws.failure = new Error('down');

      const booted = await reader.get('sdk_key');
      aws.failure = undefined;
      const stored = aws.publish('sdk_key', 5, doc(5));
      clock += MAX_AGE;
      const after = await reader.get('sdk_key');

      expect(booted).toMatchObject({ revision: 4, datafile: doc(4), stale: true, source: 'bootstrap' });
      expect(after).toMatchObject({ revision: 5, datafile: stored.text, stale: false, source: 'store' });
    });

    it('never serves bytes whose sha256 differs from the pointer', async () => {
      const one = aws.publish('sdk_key', 1, doc(1));
      await reader.get('sdk_key');
      aws.publish('sdk_key', 2, doc(2));
      const pointer = aws.pointers.get('sdk_key');
      aws.objects.set(pointer?.s3Key ?? '', Buffer.from('{"corrupted":true}'));
      const cold = newReader();

      clock += MAX_AGE;
      const warm = await reader.get('sdk_key');
      const coldResult = cold.get('sdk_key');

      expect(warm).toMatchObject({ revision: 1, datafile: one.text, stale: true });
      await expect(coldResult).rejects.toBeInstanceOf(DatafileIntegrityError);
      await expect(coldResult).rejects.toMatchObject({ code: 'datafile_integrity', revision: 2 });
      await cold.close();
    });

    it('gives up a refresh after timeoutMs and serves the last good datafile', async () => {
      jest.useFakeTimers();
      aws.publish('sdk_key', 1, doc(1));
      await reader.close();
      reader = newReader({ timeoutMs: 500 });
      await reader.get('sdk_key');
      aws.hold();
      clock += MAX_AGE;
      let settled: DatafileResult | undefined;

      const result = reader.get('sdk_key').then((r) => {
        settled = r;
        return r;
      });
      await jest.advanceTimersByTimeAsync(499);
      const beforeTimeout = settled;
      await jest.advanceTimersByTimeAsync(1);

      expect(beforeTimeout).toBeUndefined();
      await expect(result).resolves.toMatchObject({ revision: 1, stale: true });
      expect(logs).toContainEqual(expect.objectContaining({ message: 'serving stale datafile', code: 'datafile_unavailable' }));
    });
  });

  describe('keys', () => {
    it.each(['', 'k'.repeat(3000), 'a/b', 'sdk key'])(
      'rejects the invalid key %j with InvalidKeyError and makes no request',
      async (key) => {
        const result = reader.get(key);

        await expect(result).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(result).rejects.toMatchObject({ code: 'invalid_key' });
        expect(aws.sent).toEqual([]);
      },
    );

    it('rejects a non-string key from a JavaScript caller the same way', async () => {
      const result = reader.get(undefined as unknown as string);

      await expect(result).rejects.toMatchObject({ code: 'invalid_key', message: expect.stringContaining('undefined') });
      expect(aws.sent).toEqual([]);
    });

    it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
      'never takes an inherited member for the bootstrap of %s',
      async (key) => {
        await reader.close();
        reader = newReader({ bootstrap: { sdk_key: doc(1) } });
        aws.failure = new Error('down');

        const result = reader.get(key);

        await expect(result).rejects.toBeInstanceOf(DatafileUnavailableError);
      },
    );
  });
});

/** Per-key memory is bounded by maxKeys: least recently used keys go, and simply reload. */
describe('reader core › eviction', () => {
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

  describe('maxKeys', () => {
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
});
