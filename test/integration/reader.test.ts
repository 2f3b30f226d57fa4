import { createHash } from 'node:crypto';
import {
  createDatafileReader,
  DatafileIntegrityError,
  DatafileNotFoundError,
  type DatafileReader,
  type DatafileReaderOptions,
  ReaderClosedError,
  type ReaderLogEvent,
} from '../../lib/reader';
import { createDatafileReaderWith } from '../../lib/reader/core';
import { makeDatafile } from '../support/datafiles';
import { corruptObject, pointAt, publish, recordCommands } from '../support/publish';
import { freshStores, localClients, type TestStores } from '../support/stores';

let stores: TestStores;
let clock: number;
let logs: ReaderLogEvent[];
let sent: string[];
let reader: DatafileReader;

function newReader(options: Partial<DatafileReaderOptions> = {}): DatafileReader {
  const { dynamo, s3 } = localClients();
  sent = recordCommands(s3, recordCommands(dynamo));
  return createDatafileReaderWith(
    { table: stores.table, bucket: stores.bucket, dynamo, s3, logger: (e) => logs.push(e), ...options },
    { now: () => clock },
  );
}

beforeEach(async () => {
  stores = await freshStores();
  clock = 1_000_000;
  logs = [];
  reader = newReader();
});

afterEach(async () => {
  await reader.close();
});

describe('createDatafileReader › get', () => {
  it('loads the exact stored bytes of the pointer revision with one GetItem and one GetObject', async () => {
    const { text, sha256 } = await publish(stores, 'sdk_key', 7);

    const result = await reader.get('sdk_key');

    expect(result).toMatchObject({ key: 'sdk_key', revision: 7, datafile: text, sha256, stale: false, source: 'store' });
    expect(Date.parse(result.updatedAt)).not.toBeNaN();
    expect([...sent].sort()).toEqual(['GetItemCommand', 'GetObjectCommand']);
  });

  it('answers from memory with no request inside the freshness window', async () => {
    await publish(stores, 'sdk_key', 1);
    const first = await reader.get('sdk_key');
    const before = sent.length;

    clock += 999;
    const again = await reader.get('sdk_key');

    expect(again).toBe(first);
    expect(sent.length).toBe(before);
  });

  it('revalidates an unchanged revision with exactly one GetItem and no S3 request', async () => {
    await publish(stores, 'sdk_key', 1);
    const first = await reader.get('sdk_key');
    const before = sent.length;

    clock += 1000;
    const again = await reader.get('sdk_key');

    expect(again).toBe(first);
    expect(sent.slice(before)).toEqual(['GetItemCommand']);
  });

  it('swaps to a new revision after the window and tells change listeners once', async () => {
    await publish(stores, 'sdk_key', 1);
    await reader.get('sdk_key');
    const changes: [number, number][] = [];
    reader.onChange('sdk_key', (current, previous) => changes.push([previous.revision, current.revision]));
    const { text } = await publish(stores, 'sdk_key', 2);

    const inWindow = await reader.get('sdk_key');
    clock += 1000;
    const updated = await reader.get('sdk_key');
    clock += 1000;
    await reader.get('sdk_key');

    expect(inWindow.revision).toBe(1);
    expect(updated).toMatchObject({ revision: 2, datafile: text, stale: false });
    expect(changes).toEqual([[1, 2]]);
  });

  it('shares one in-flight refresh between concurrent callers', async () => {
    await publish(stores, 'sdk_key', 3);

    const results = await Promise.all(Array.from({ length: 20 }, () => reader.get('sdk_key')));

    expect(new Set(results).size).toBe(1);
    expect([...sent].sort()).toEqual(['GetItemCommand', 'GetObjectCommand']);
  });

  it('serves a pinned or rolled-back revision exactly as the pointer says', async () => {
    const one = await publish(stores, 'sdk_key', 1);
    await publish(stores, 'sdk_key', 2);
    expect((await reader.get('sdk_key')).revision).toBe(2);

    await pointAt(stores, 'sdk_key', 1, one.sha256);
    clock += 1000;
    const result = await reader.get('sdk_key');

    expect(result).toMatchObject({ revision: 1, datafile: one.text, stale: false });
  });

  it('keeps keys apart', async () => {
    await publish(stores, 'key_a', 10);
    await publish(stores, 'key_b', 20);

    const [a, b] = await Promise.all([reader.get('key_a'), reader.get('key_b')]);

    expect([a.revision, b.revision]).toEqual([10, 20]);
  });
});

describe('createDatafileReader › nothing loaded yet', () => {
  it('rejects an unknown key with DatafileNotFoundError and does not ask again inside the window', async () => {
    const first = reader.get('missing');
    await expect(first).rejects.toBeInstanceOf(DatafileNotFoundError);
    await expect(first).rejects.toMatchObject({ code: 'datafile_not_found' });
    const before = sent.length;

    await expect(reader.get('missing')).rejects.toMatchObject({ code: 'datafile_not_found' });

    expect(sent.length).toBe(before);
  });

  it('serves a bootstrap datafile marked stale until the store has one, then switches to it', async () => {
    const bootstrap = makeDatafile({ revision: 5 });
    await reader.close();
    reader = newReader({ bootstrap: { sdk_key: bootstrap } });

    const before = await reader.get('sdk_key');
    const { text } = await publish(stores, 'sdk_key', 6);
    clock += 1000;
    const after = await reader.get('sdk_key');

    expect(before).toMatchObject({ revision: 5, datafile: bootstrap, stale: true, source: 'bootstrap' });
    expect(after).toMatchObject({ revision: 6, datafile: text, stale: false, source: 'store' });
  });

  it('never serves bytes whose sha256 differs from the pointer: typed error when nothing was loaded', async () => {
    await publish(stores, 'sdk_key', 4);
    await corruptObject(stores, 'sdk_key', 4);

    const result = reader.get('sdk_key');

    await expect(result).rejects.toBeInstanceOf(DatafileIntegrityError);
    await expect(result).rejects.toMatchObject({ code: 'datafile_integrity', revision: 4 });
  });

  it('keeps the previous good datafile (stale) when a new revision is corrupted', async () => {
    const good = await publish(stores, 'sdk_key', 1);
    await reader.get('sdk_key');
    await publish(stores, 'sdk_key', 2);
    await corruptObject(stores, 'sdk_key', 2);

    clock += 1000;
    const result = await reader.get('sdk_key');

    expect(result).toMatchObject({ revision: 1, datafile: good.text, stale: true });
    expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', message: 'serving stale datafile', code: 'datafile_integrity' }));
  });
});

describe('createDatafileReader › logging and lifecycle', () => {
  it('refuses options without a table or bucket with a coded error', () => {
    const build = () => createDatafileReader({ table: '', bucket: stores.bucket });

    expect(build).toThrow(expect.objectContaining({ code: 'invalid_reader_options' }));
  });

  it('still serves the new revision when a change listener throws, and logs the failure', async () => {
    await publish(stores, 'sdk_key', 1);
    await reader.get('sdk_key');
    reader.onChange('sdk_key', () => {
      throw new Error('listener bug');
    });
    await publish(stores, 'sdk_key', 2);

    clock += 1000;
    const result = await reader.get('sdk_key');

    expect(result.revision).toBe(2);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', message: 'change listener failed', revision: 2 }));
  });

  it('stops calling a listener after it unsubscribes', async () => {
    await publish(stores, 'sdk_key', 1);
    await reader.get('sdk_key');
    const seen: number[] = [];
    const unsubscribe = reader.onChange('sdk_key', (current) => seen.push(current.revision));
    await publish(stores, 'sdk_key', 2);
    clock += 1000;
    await reader.get('sdk_key');

    unsubscribe();
    await publish(stores, 'sdk_key', 3);
    clock += 1000;
    await reader.get('sdk_key');

    expect(seen).toEqual([2]);
  });

  it('never writes datafile contents to the log', async () => {
    const marker = 'secret_flag_marker_1234';
    await publish(stores, 'sdk_key', 1, { flags: { [marker]: true } });
    await reader.get('sdk_key');
    await publish(stores, 'sdk_key', 2, { flags: { [marker]: false } });
    await corruptObject(stores, 'sdk_key', 2);
    clock += 1000;

    await reader.get('sdk_key');

    expect(logs.length).toBeGreaterThan(1);
    expect(JSON.stringify(logs)).not.toContain(marker);
  });

  it('rejects get() after close() with ReaderClosedError and leaves injected clients usable', async () => {
    await publish(stores, 'sdk_key', 1);
    const { dynamo, s3 } = localClients();
    const own = createDatafileReader({ table: stores.table, bucket: stores.bucket, dynamo, s3, logger: () => {} });
    await own.get('sdk_key');

    await own.close();

    await expect(own.get('sdk_key')).rejects.toBeInstanceOf(ReaderClosedError);
    const again = createDatafileReader({ table: stores.table, bucket: stores.bucket, dynamo, s3, logger: () => {} });
    expect((await again.get('sdk_key')).revision).toBe(1);
    await again.close();
  });

  it('builds its own clients from AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL_DYNAMODB alone', async () => {
    const { text } = await publish(stores, 'sdk_key', 9);
    const saved = { ...process.env };
    process.env.AWS_ENDPOINT_URL_S3 = process.env.TEST_S3_ENDPOINT;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = process.env.TEST_DYNAMODB_ENDPOINT;
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      const own = createDatafileReader({ table: stores.table, bucket: stores.bucket, logger: () => {} });

      const result = await own.get('sdk_key');
      await own.close();

      expect(result.datafile).toBe(text);
      expect(result.sha256).toBe(createHash('sha256').update(text).digest('hex'));
    } finally {
      process.env = saved;
    }
  });
});
