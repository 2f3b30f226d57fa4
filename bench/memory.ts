import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type BenchEnv, datafileOfSize } from './env';
import type { DatafileOrigin } from './origin';
import { type Summary, summarize } from './stats';

const run = promisify(execFile);

export interface MemoryResult {
  bytes: number;
  /** Peak above the settled baseline, as a multiple of the datafile size. */
  webhook: Record<'rss' | 'heapUsed' | 'arrayBuffers' | 'external', Summary>;
  rawIo: Record<'rss' | 'heapUsed' | 'arrayBuffers' | 'external', Summary>;
}

type Sample = Record<'rss' | 'heapUsed' | 'arrayBuffers' | 'external', number>;

/**
 * Row 5, "Memory": peak memory above baseline while one `bytes`-sized datafile goes
 * through the webhook path, each trial in a fresh child process; the raw I/O (GET + PutObject +
 * PutItem) measured the same way, alternating, as the floor any implementation pays.
 */
export async function memory(env: BenchEnv, origin: DatafileOrigin, bytes: number, trials: number): Promise<MemoryResult> {
  const samples: Record<'webhook' | 'raw', Sample[]> = { webhook: [], raw: [] };
  const names = await env.fresh();
  let rev = 0;
  for (let i = 0; i < trials * 2; i++) {
    const mode = i % 2 === 0 ? 'webhook' : 'raw';
    const warm = ++rev;
    const target = ++rev;
    origin.prepare(warm, Buffer.from(datafileOfSize(warm, 10 * 1024)));
    origin.prepare(target, Buffer.from(datafileOfSize(target, bytes)));
    const args = {
      dynamo: env.stores.dynamoEndpoint,
      s3: env.stores.s3Endpoint,
      origin: origin.url,
      table: names.table,
      bucket: names.bucket,
      mode,
      'warm-rev': String(warm),
      rev: String(target),
    };
    const argv = Object.entries(args).flatMap(([name, value]) => [`--${name}`, value]);
    const child = ['--expose-gc', '--no-warnings', '--import', 'tsx', `${__dirname}/memory-child.ts`, ...argv];
    const { stdout } = await run(process.execPath, child, { maxBuffer: 1024 * 1024 });
    origin.forget(warm);
    origin.forget(target);
    samples[mode].push(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Sample);
  }
  const asMultiple = (list: Sample[]) => {
    const pick = (k: keyof Sample) => summarize(list.map((s) => s[k] / bytes));
    return { rss: pick('rss'), heapUsed: pick('heapUsed'), arrayBuffers: pick('arrayBuffers'), external: pick('external') };
  };
  return { bytes, webhook: asMultiple(samples.webhook), rawIo: asMultiple(samples.raw) };
}
