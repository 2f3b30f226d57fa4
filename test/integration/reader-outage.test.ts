import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { createDatafileReader, type DatafileReader, DatafileUnavailableError, type ReaderLogEvent } from '../../lib/reader';
import { createDatafileReaderWith } from '../../lib/reader/core';
import { createOptimizelyClientProvider } from '../../lib/reader/optimizely';
import { ensureBucket, ensureTable } from '../../local/provision';
import { freePort, type LocalStores, startLocalStores } from '../../local/stores';
import { makeDatafile } from '../support/datafiles';
import { type PublishTarget, publish } from '../support/publish';

/**
 * The reader under a store outage: this file runs its own DynamoDB Local and s3rver on fixed ports
 * with on-disk data, so it can stop them under a serving reader and start them again, data intact.
 */
jest.setTimeout(120_000);

const TABLE = 'datafiles';
const BUCKET = 'datafiles';
let ports: { dynamoPort: number; s3Port: number };
let dirs: { dataDir: string; s3Dir: string };
let running: LocalStores | undefined;
let target: PublishTarget;
let clock: number;
let logs: ReaderLogEvent[];
let reader: DatafileReader;

async function startStores(): Promise<void> {
  running = await startLocalStores({ ...ports, ...dirs });
}

async function stopStores(): Promise<void> {
  await running?.stop();
  running = undefined;
}

function newReader(options: { bootstrap?: Record<string, string> } = {}): DatafileReader {
  return createDatafileReaderWith(
    { table: TABLE, bucket: BUCKET, dynamo: target.dynamo, s3: target.s3, timeoutMs: 5_000, logger: (e) => logs.push(e), ...options },
    { now: () => clock },
  );
}

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'reader-outage-'));
  dirs = { dataDir: join(root, 'dynamo'), s3Dir: join(root, 's3') };
  ports = { dynamoPort: await freePort(), s3Port: await freePort() };
  await startStores();
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  target = {
    table: TABLE,
    bucket: BUCKET,
    dynamo: new DynamoDBClient({ endpoint: `http://127.0.0.1:${ports.dynamoPort}`, region: 'us-east-1', credentials, maxAttempts: 2 }),
    s3: new S3Client({
      endpoint: `http://127.0.0.1:${ports.s3Port}`,
      region: 'us-east-1',
      credentials,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 2,
    }),
  };
  await ensureTable(target.dynamo, TABLE);
  await ensureBucket(target.s3, BUCKET);
});

afterAll(async () => {
  await stopStores();
  target.dynamo.destroy();
  target.s3.destroy();
  rmSync(join(dirs.dataDir, '..'), { recursive: true, force: true });
});

beforeEach(() => {
  clock = 1_000_000;
  logs = [];
});

describe('reader under a store outage', () => {
  it('serves the last good datafile marked stale while the stores are down, and recovers by itself when they return', async () => {
    const one = await publish(target, 'sdk_key', 1, { flags: { flag_1: true } });
    reader = newReader();
    const provider = createOptimizelyClientProvider({ reader, key: 'sdk_key', logger: (e) => logs.push(e) });
    const client = await provider.getClient();

    await stopStores();
    clock += 1000;
    const duringOutage = await reader.get('sdk_key');
    clock += 1000;
    const stillDuringOutage = await reader.get('sdk_key');
    const clientDuringOutage = await provider.getClient();

    expect(duringOutage).toMatchObject({ revision: 1, datafile: one.text, stale: true });
    expect(stillDuringOutage).toMatchObject({ revision: 1, stale: true });
    expect(clientDuringOutage).toBe(client);
    expect(clientDuringOutage.createUserContext('user-1')?.decide('flag_1').enabled).toBe(true);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'serving stale datafile', code: 'datafile_unavailable' }),
    );

    await startStores();
    clock += 1000;
    const recovered = await reader.get('sdk_key');
    const two = await publish(target, 'sdk_key', 2, { flags: { flag_1: false } });
    clock += 1000;
    const updated = await reader.get('sdk_key');
    const newClient = await provider.getClient();

    expect(recovered).toMatchObject({ revision: 1, stale: false });
    expect(logs).toContainEqual(expect.objectContaining({ level: 'info', message: 'datafile store recovered' }));
    expect(updated).toMatchObject({ revision: 2, datafile: two.text, stale: false });
    expect(newClient.createUserContext('user-1')?.decide('flag_1').enabled).toBe(false);
    await provider.close();
    await reader.close();
  });

  it('throws the typed error on a cold start during an outage, or serves the bootstrap datafile when given one', async () => {
    await publish(target, 'cold_key', 5);
    await stopStores();
    const bootstrap = makeDatafile({ revision: 4 });
    const cold = newReader();
    const withBootstrap = newReader({ bootstrap: { cold_key: bootstrap } });

    const coldResult = cold.get('cold_key');
    const bootResult = await withBootstrap.get('cold_key');

    await expect(coldResult).rejects.toBeInstanceOf(DatafileUnavailableError);
    await expect(coldResult).rejects.toMatchObject({ code: 'datafile_unavailable' });
    expect(bootResult).toMatchObject({ revision: 4, datafile: bootstrap, stale: true, source: 'bootstrap' });

    await startStores();
    clock += 1000;
    const coldAfter = await cold.get('cold_key');
    const bootAfter = await withBootstrap.get('cold_key');

    expect(coldAfter).toMatchObject({ revision: 5, stale: false, source: 'store' });
    expect(bootAfter).toMatchObject({ revision: 5, stale: false, source: 'store' });
    await cold.close();
    await withBootstrap.close();
  });

  it('gives up on a store that accepts connections but never answers after timeoutMs, and serves the bootstrap', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const address = silent.address();
    const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
    const bootstrap = makeDatafile({ revision: 8 });
    const hung = createDatafileReader({
      table: TABLE,
      bucket: BUCKET,
      dynamo: new DynamoDBClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }),
      s3: new S3Client({ endpoint, region: 'us-east-1', credentials, forcePathStyle: true, maxAttempts: 1 }),
      timeoutMs: 200,
      bootstrap: { sdk_key: bootstrap },
      logger: (e) => logs.push(e),
    });

    const result = await hung.get('sdk_key');

    expect(result).toMatchObject({ revision: 8, stale: true, source: 'bootstrap' });
    expect(sockets.length).toBeGreaterThan(0);
    await hung.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => silent.close(r));
  });
});
