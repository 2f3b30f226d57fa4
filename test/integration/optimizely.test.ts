import type { Client } from '@optimizely/optimizely-sdk';
import type { DatafileReader, ReaderLogEvent } from '../../lib/reader';
import { createDatafileReaderWith } from '../../lib/reader/core';
import { createOptimizelyClientProvider, DatafileRejectedError, type OptimizelyClientProvider } from '../../lib/reader/optimizely';
import { makeDatafile } from '../support/datafiles';
import { publish } from '../support/publish';
import { freshStores, type TestStores } from '../support/stores';

let stores: TestStores;
let clock: number;
let logs: ReaderLogEvent[];
let reader: DatafileReader;
let provider: OptimizelyClientProvider;

function decide(client: Client, flag = 'flag_1'): boolean | undefined {
  return client.createUserContext('user-1')?.decide(flag).enabled;
}

/** The SDK's own lifecycle state (BaseService); `close()` moves it to done. */
function isClosed(client: Client): boolean {
  return (client as unknown as { isDone(): boolean }).isDone();
}

beforeEach(async () => {
  stores = await freshStores();
  clock = 1_000_000;
  logs = [];
  const logger = (e: ReaderLogEvent) => logs.push(e);
  reader = createDatafileReaderWith(
    { table: stores.table, bucket: stores.bucket, dynamo: stores.dynamo, s3: stores.s3, logger },
    { now: () => clock },
  );
  provider = createOptimizelyClientProvider({ reader, key: 'sdk_key', logger });
});

afterEach(async () => {
  await provider.close();
  await reader.close();
});

describe('createOptimizelyClientProvider', () => {
  it('makes real decisions from the stored datafile and follows an update to a new client', async () => {
    await publish(stores, 'sdk_key', 1, { flags: { flag_1: true } });
    const before = await provider.getClient();
    const decidedBefore = decide(before);

    await publish(stores, 'sdk_key', 2, { flags: { flag_1: false } });
    clock += 1000;
    const after = await provider.getClient();

    expect(decidedBefore).toBe(true);
    expect(after).not.toBe(before);
    expect(decide(after)).toBe(false);
    expect(after.getOptimizelyConfig()?.revision).toBe('2');
    expect(isClosed(before)).toBe(true);
    expect(isClosed(after)).toBe(false);
  });

  it('returns the same client while the revision is unchanged', async () => {
    await publish(stores, 'sdk_key', 1);
    const first = await provider.getClient();

    clock += 5000;
    const second = await provider.getClient();

    expect(second).toBe(first);
  });

  it('builds one client for concurrent callers', async () => {
    await publish(stores, 'sdk_key', 1);

    const clients = await Promise.all(Array.from({ length: 10 }, () => provider.getClient()));

    expect(new Set(clients).size).toBe(1);
  });

  it('keeps the working client when the SDK rejects a new datafile, and does not rebuild it on every call', async () => {
    await publish(stores, 'sdk_key', 1, { flags: { flag_1: true } });
    const working = await provider.getClient();
    await publish(stores, 'sdk_key', 2, { text: makeDatafile({ revision: 2, version: '99', flags: { flag_1: false } }) });

    clock += 1000;
    const afterBad = await provider.getClient();
    clock += 1000;
    const again = await provider.getClient();

    expect(afterBad).toBe(working);
    expect(again).toBe(working);
    expect(decide(working)).toBe(true);
    expect(isClosed(working)).toBe(false);
    expect(logs.filter((l) => l.code === 'datafile_rejected')).toHaveLength(1);
  });

  it('moves on from a rejected datafile to the next good revision', async () => {
    await publish(stores, 'sdk_key', 1, { flags: { flag_1: true } });
    await provider.getClient();
    await publish(stores, 'sdk_key', 2, { text: makeDatafile({ revision: 2, version: '99' }) });
    clock += 1000;
    await provider.getClient();

    await publish(stores, 'sdk_key', 3, { flags: { flag_1: false } });
    clock += 1000;
    const client = await provider.getClient();

    expect(decide(client)).toBe(false);
    expect(client.getOptimizelyConfig()?.revision).toBe('3');
  });

  it('rejects with DatafileRejectedError when the first datafile is refused and no client exists', async () => {
    await publish(stores, 'sdk_key', 1, { text: makeDatafile({ revision: 1, version: '99' }) });

    const result = provider.getClient();

    await expect(result).rejects.toBeInstanceOf(DatafileRejectedError);
    await expect(result).rejects.toMatchObject({ code: 'datafile_rejected', revision: 1 });
  });

  it('closes its client on close() and refuses to hand out another', async () => {
    await publish(stores, 'sdk_key', 1);
    const client = await provider.getClient();

    await provider.close();

    expect(isClosed(client)).toBe(true);
    await expect(provider.getClient()).rejects.toMatchObject({ code: 'provider_closed' });
  });
});
