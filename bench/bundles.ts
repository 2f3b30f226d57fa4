import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { pairedRatio, type Summary, summarize } from './stats';

const root = resolve(__dirname, '..');
// Under node_modules so a bundle with @aws-sdk external resolves it, as a consumer's would.
const outDir = join(root, 'node_modules', '.cache', 'bench-bundles');

export interface BundleResult {
  name: string;
  kind: 'function' | 'consumer';
  bytes: number;
  gzipBytes: number;
  initMs: Summary;
  /** Paired per trial with `node -e 0`. */
  initRatio: Summary;
  /** Median extra time over the empty process. */
  initExtraMs: number;
  /** Why the bundle could not be initialised here, if it could not. */
  initError?: string;
}

interface Spec {
  name: string;
  kind: BundleResult['kind'];
  entry: string;
  external: string[];
}

/**
 * Row 7. Functions are bundled the way serverless.yml's esbuild block does it (bundle, minify,
 * keepNames, platform node, target node22, cjs, nothing external); consumer bundles mark @aws-sdk/*
 * external, as a Lambda on the Node.js 22 runtime gets it from the runtime.
 */
export async function bundles(
  trials: number,
): Promise<{ emptyNodeMs: Summary; bundles: BundleResult[]; packaged: Record<string, number> }> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const specs: Spec[] = readdirSync(join(root, 'functions'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ name: `functions/${f.replace(/\.ts$/, '')}`, kind: 'function', entry: join(root, 'functions', f), external: [] }));
  const consumer = (name: string, source: string) => {
    const entry = join(outDir, `${name.replace(/\W+/g, '_')}.entry.ts`);
    writeFileSync(entry, source);
    specs.push({ name, kind: 'consumer', entry, external: ['@aws-sdk/*'] });
  };
  consumer(
    'reader (lib/reader)',
    `import { createDatafileReader } from '${join(root, 'lib/reader')}';\nexport const reader = createDatafileReader({ table: 't', bucket: 'b' });\n`,
  );
  if (existsSync(join(root, 'lib/reader/optimizely.ts'))) {
    consumer(
      'reader + Optimizely provider',
      `import { createDatafileReader } from '${join(root, 'lib/reader')}';\n` +
        `import { createOptimizelyClientProvider } from '${join(root, 'lib/reader/optimizely')}';\n` +
        `export const provider = createOptimizelyClientProvider({ reader: createDatafileReader({ table: 't', bucket: 'b' }), key: 'k' });\n`,
    );
  }
  // References: what a consumer loads anyway — the two AWS clients the reader wraps, and the SDK.
  consumer(
    'ref: DynamoDB + S3 clients',
    `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { S3Client } from '@aws-sdk/client-s3';\n` +
      `export const clients = [new DynamoDBClient({}), new S3Client({})];\n`,
  );
  consumer('ref: @optimizely/optimizely-sdk', `export { createInstance } from '@optimizely/optimizely-sdk';\n`);

  const built: { spec: Spec; file: string }[] = [];
  for (const spec of specs) {
    const file = join(outDir, `${spec.name.replace(/\W+/g, '_')}.js`);
    await build({
      entryPoints: [spec.entry],
      outfile: file,
      bundle: true,
      minify: true,
      treeShaking: true,
      keepNames: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      external: spec.external,
      logLevel: 'silent',
    });
    built.push({ spec, file });
  }

  // Module initialisation: a fresh `node` that requires the bundle, vs one that does nothing.
  // Any AWS call a module made at init would go to a closed loopback port, never off the machine.
  const env = {
    ...process.env,
    DATAFILE_TABLE: 'bench',
    DATAFILE_BUCKET: 'bench',
    SYNC_CONFIG_PARAMETER: '/bench/config',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    LOG_LEVEL: 'error',
    NODE_OPTIONS: '',
  };
  const failures = new Map<string, string>();
  const runOnce = (script: string): number => {
    const t = process.hrtime.bigint();
    const out = spawnSync(process.execPath, ['--no-warnings', '-e', script], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (out.status !== 0) {
      // Recorded, not thrown: one bundle that cannot initialise here must not hide every other figure.
      failures.set(script, out.stderr.toString().trim().split('\n').slice(-3).join(' ').slice(0, 300));
      return Number.NaN;
    }
    return ms;
  };
  const empty: number[] = [];
  const subject = built.map(() => [] as number[]);
  const pairedEmpty = built.map(() => [] as number[]);
  for (let t = 0; t < trials; t++) {
    built.forEach(({ file }, i) => {
      const e = runOnce('0');
      const s = runOnce(`require(${JSON.stringify(file)})`);
      empty.push(e);
      pairedEmpty[i]?.push(e);
      subject[i]?.push(s);
    });
  }
  const results = built.map(({ spec, file }, i): BundleResult => {
    const bytes = readFileSync(file);
    const s = subject[i] ?? [];
    const b = pairedEmpty[i] ?? [];
    const initMs = summarize(s);
    return {
      name: spec.name,
      kind: spec.kind,
      bytes: bytes.length,
      gzipBytes: gzipSync(bytes, { level: 9 }).length,
      initMs,
      initRatio: pairedRatio(s, b),
      initExtraMs: initMs.median - summarize(b).median,
      initError: failures.get(`require(${JSON.stringify(file)})`),
    };
  });
  return { emptyNodeMs: summarize(empty), bundles: results, packaged: packagedZips() };
}

/** Sizes of the artifacts `npx serverless package` wrote, when it has been run. */
function packagedZips(): Record<string, number> {
  const dir = join(root, '.serverless');
  if (!existsSync(dir)) return {};
  const out: Record<string, number> = {};
  for (const f of readdirSync(dir)) if (f.endsWith('.zip')) out[f] = statSync(join(dir, f)).size;
  return out;
}
