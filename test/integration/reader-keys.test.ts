import {
  createDatafileReader,
  DatafileNotFoundError,
  type DatafileReader,
  type DatafileReaderOptions,
  InvalidKeyError,
} from '../../lib/reader';
import { makeDatafile } from '../support/datafiles';
import { publish, recordCommands } from '../support/publish';
import { freshStores, localClients, type TestStores } from '../support/stores';

/** Keys as the reader meets them in real stores: odd but valid names, invalid ones, many of them. */
let stores: TestStores;
let sent: string[];
let reader: DatafileReader;

function newReader(options: Partial<DatafileReaderOptions> = {}): DatafileReader {
  const { dynamo, s3 } = localClients();
  sent = recordCommands(s3, recordCommands(dynamo));
  return createDatafileReader({ table: stores.table, bucket: stores.bucket, dynamo, s3, logger: () => {}, ...options });
}

beforeEach(async () => {
  stores = await freshStores();
  reader = newReader();
});

afterEach(async () => {
  await reader.close();
});

const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

describe('createDatafileReader › keys named like Object.prototype members', () => {
  it.each(PROTOTYPE_NAMES)('loads the datafile the webhook stored under %s', async (key) => {
    const { text, sha256 } = await publish(stores, key, 3);

    const result = await reader.get(key);

    expect(result).toMatchObject({ key, revision: 3, datafile: text, sha256, stale: false, source: 'store' });
  });

  it.each(PROTOTYPE_NAMES)('does not take an inherited member for a bootstrap of %s: not found, typed', async (key) => {
    await reader.close();
    reader = newReader({ bootstrap: { other_key: makeDatafile({ revision: 1 }) } });

    const result = reader.get(key);

    await expect(result).rejects.toBeInstanceOf(DatafileNotFoundError);
    await expect(result).rejects.toMatchObject({ code: 'datafile_not_found', key });
  });

  it.each(PROTOTYPE_NAMES)('serves a bootstrap the map holds as its own %s key', async (key) => {
    const bootstrap = makeDatafile({ revision: 2 });
    await reader.close();
    reader = newReader({ bootstrap: Object.fromEntries([[key, bootstrap]]) });

    const result = await reader.get(key);

    expect(result).toMatchObject({ key, revision: 2, datafile: bootstrap, stale: true, source: 'bootstrap' });
  });
});

describe('createDatafileReader › invalid keys', () => {
  it.each([
    ['empty', ''],
    ['3 KB long', 'k'.repeat(3000)],
    ['129 characters', 'k'.repeat(129)],
    ['a path', '../other/key'],
    ['with a space', 'sdk key'],
  ])('rejects a key that is %s with InvalidKeyError and sends no request', async (_, key) => {
    const result = reader.get(key);

    await expect(result).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(result).rejects.toMatchObject({ code: 'invalid_key', key });
    expect(sent).toEqual([]);
  });

  it('keeps the message of a huge key short', async () => {
    const error = await reader.get('k'.repeat(3000)).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(InvalidKeyError);
    expect((error as Error).message.length).toBeLessThan(200);
    expect((error as Error).message).toContain('3000 characters');
  });

  it('refuses a change listener for an invalid key', () => {
    const subscribe = () => reader.onChange('', () => {});

    expect(subscribe).toThrow(InvalidKeyError);
  });
});

describe('createDatafileReader › maxKeys', () => {
  it('reloads a key dropped from memory after maxKeys others were read', async () => {
    await reader.close();
    reader = newReader({ maxKeys: 2, maxAgeMs: 3_600_000 });
    await Promise.all(['key_a', 'key_b', 'key_c'].map((key, i) => publish(stores, key, i + 1)));
    await reader.get('key_a');
    await reader.get('key_b');
    await reader.get('key_b');
    const afterTwo = sent.length;

    await reader.get('key_c');
    await reader.get('key_b');
    const beforeReload = sent.length;
    const reloaded = await reader.get('key_a');

    expect(afterTwo).toBe(4);
    expect(beforeReload).toBe(6);
    expect(sent.slice(beforeReload).sort()).toEqual(['GetItemCommand', 'GetObjectCommand']);
    expect(reloaded).toMatchObject({ key: 'key_a', revision: 1, stale: false });
  });

  it('refuses a maxKeys that is not a positive integer', () => {
    const build = () => createDatafileReader({ table: stores.table, bucket: stores.bucket, maxKeys: 0 });

    expect(build).toThrow(expect.objectContaining({ code: 'invalid_reader_options' }));
  });
});
