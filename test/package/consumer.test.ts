import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { publish } from '../support/publish';
import { freshStores, type TestStores } from '../support/stores';

/**
 * The published shape, end to end: pack the repository, install the tarball into a throwaway
 * project (with the Optimizely SDK as its peer), and use both entry points from CommonJS, from ESM
 * and from TypeScript against the local stores — nothing from this repository's own tree.
 */
const run = promisify(execFile);
const repo = resolve(__dirname, '../..');
const tsc = join(repo, 'node_modules', '.bin', 'tsc');

let dir: string;
let stores: TestStores;

const cjs = `
const { createDatafileReader, DatafileNotFoundError, InvalidKeyError } = require('optimizely-datafile-sync/reader');
const { createOptimizelyClientProvider } = require('optimizely-datafile-sync/optimizely');
(async () => {
  const reader = createDatafileReader({ table: process.env.TABLE, bucket: process.env.BUCKET, logger: () => {} });
  const provider = createOptimizelyClientProvider({ reader, key: 'sdk_key', logger: () => {} });
  const { revision, stale, sha256 } = await reader.get('sdk_key');
  const enabled = (await provider.getClient()).createUserContext('user-1').decide('flag_1').enabled;
  const missing = await reader.get('nope').catch((e) => e instanceof DatafileNotFoundError && e.code);
  const invalid = await reader.get('').catch((e) => e instanceof InvalidKeyError && e.code);
  await provider.close();
  await reader.close();
  console.log(JSON.stringify({ revision, stale, sha256, enabled, missing, invalid }));
})();
`;

const esm = `
import { createDatafileReader, DatafileNotFoundError, InvalidKeyError } from 'optimizely-datafile-sync/reader';
import { createOptimizelyClientProvider } from 'optimizely-datafile-sync/optimizely';
const reader = createDatafileReader({ table: process.env.TABLE, bucket: process.env.BUCKET, logger: () => {} });
const provider = createOptimizelyClientProvider({ reader, key: 'sdk_key', logger: () => {} });
const { revision, stale, sha256 } = await reader.get('sdk_key');
const enabled = (await provider.getClient()).createUserContext('user-1').decide('flag_1').enabled;
const missing = await reader.get('nope').catch((e) => e instanceof DatafileNotFoundError && e.code);
const invalid = await reader.get('').catch((e) => e instanceof InvalidKeyError && e.code);
await provider.close();
await reader.close();
console.log(JSON.stringify({ revision, stale, sha256, enabled, missing, invalid }));
`;

const ts = `
import { createDatafileReader, type DatafileResult, DatafileUnavailableError, InvalidKeyError } from 'optimizely-datafile-sync/reader';
import { createOptimizelyClientProvider } from 'optimizely-datafile-sync/optimizely';
const reader = createDatafileReader({ table: 'datafiles', bucket: 'bucket', maxAgeMs: 5_000, maxKeys: 100 });
// @ts-expect-error the reader's clock is internal, not a published option
createDatafileReader({ table: 'datafiles', bucket: 'bucket', now: () => 0 });
const provider = createOptimizelyClientProvider({ reader, key: 'sdk_key' });
export async function handler(userId: string): Promise<{ revision: number; enabled: boolean | undefined }> {
  const result: DatafileResult = await reader.get('sdk_key');
  const unsubscribe: () => void = reader.onChange('sdk_key', (current, previous) => console.log(current.revision, previous.revision));
  unsubscribe();
  const client = await provider.getClient();
  return { revision: result.revision, enabled: client.createUserContext(userId)?.decide('flag_1').enabled };
}
export const code: string = new DatafileUnavailableError('sdk_key').code;
export const invalid: string = new InvalidKeyError('').code;
`;

function tsconfig(files: string[], compilerOptions: Record<string, unknown>): string {
  return JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, skipLibCheck: true, target: 'ES2022', types: [], ...compilerOptions },
    files,
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reader-consumer-'));
  await run('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: repo });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack produced no tarball');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  await run('npm', ['install', `./${tarball}`, '@optimizely/optimizely-sdk@6', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: dir,
  });
  writeFileSync(join(dir, 'consumer.cjs'), cjs);
  writeFileSync(join(dir, 'consumer.mjs'), esm);
  writeFileSync(join(dir, 'consumer.ts'), ts);
  // .ts is CommonJS here (resolves the "require" condition), .mts is ESM ("import" condition).
  writeFileSync(join(dir, 'consumer-esm.mts'), ts);
  writeFileSync(join(dir, 'tsconfig.nodenext.json'), tsconfig(['consumer.ts', 'consumer-esm.mts'], { module: 'nodenext' }));
  writeFileSync(join(dir, 'tsconfig.node10.json'), tsconfig(['consumer.ts'], { module: 'commonjs', moduleResolution: 'node' }));
  stores = await freshStores();
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function consume(script: string): Promise<Record<string, unknown>> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TABLE: stores.table,
    BUCKET: stores.bucket,
    AWS_ENDPOINT_URL_S3: process.env.TEST_S3_ENDPOINT,
    AWS_ENDPOINT_URL_DYNAMODB: process.env.TEST_DYNAMODB_ENDPOINT,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
  };
  const { stdout } = await run(process.execPath, [script], { cwd: dir, env });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

describe('the packed library in a fresh consumer project', () => {
  it('reads the datafile and decides with the Optimizely entry from CommonJS', async () => {
    const { sha256 } = await publish(stores, 'sdk_key', 11, { flags: { flag_1: true } });

    const out = await consume('consumer.cjs');

    expect(out).toEqual({ revision: 11, stale: false, sha256, enabled: true, missing: 'datafile_not_found', invalid: 'invalid_key' });
  });

  it('reads the datafile and decides with the Optimizely entry from ESM', async () => {
    const { sha256 } = await publish(stores, 'sdk_key', 12, { flags: { flag_1: false } });

    const out = await consume('consumer.mjs');

    expect(out).toEqual({ revision: 12, stale: false, sha256, enabled: false, missing: 'datafile_not_found', invalid: 'invalid_key' });
  });

  it.each(['nodenext', 'node10'])('type-checks a TypeScript consumer (moduleResolution %s)', async (resolution) => {
    const result = run(tsc, ['-p', `tsconfig.${resolution}.json`], { cwd: dir });

    await expect(result).resolves.toBeDefined();
  });
});
