/**
 * `npm run bench [-- --quick]`: every benchmark (the rows of docs/performance.md) against local stores this script starts
 * itself, one table on stdout, and bench/results.json (with the machine it ran on).
 */
import { writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { bundles } from './bundles';
import { burst } from './burst';
import { startBenchEnv } from './env';
import { memory } from './memory';
import { mirrorPropagation } from './mirror';
import { startDatafileOrigin } from './origin';
import { propagation } from './propagation';
import { coldLoad, revalidation, warmRead } from './reader';
import { rows } from './report';
import { render } from './table';
import { webhookPath } from './webhook';

const quick = process.argv.includes('--quick');
const KiB = 1024;
const MiB = 1024 * KiB;
/** A typical production datafile size for the reader benchmarks. */
const READER_BYTES = 100 * KiB;
const plan = quick
  ? { bundles: 5, propagation: 5, idleMs: 6_000, warm: 3, revalidation: 15, cold: 5, path: [5, 3, 2], memory: 1, burst: 1 }
  : { bundles: 30, propagation: 40, idleMs: 30_000, warm: 15, revalidation: 200, cold: 40, path: [30, 15, 7], memory: 5, burst: 5 };

function step(name: string): void {
  process.stderr.write(`[bench] ${new Date().toISOString().slice(11, 19)} ${name}\n`);
}

async function main(): Promise<void> {
  const started = Date.now();
  step('7 bundles and module initialisation');
  const cold = await bundles(plan.bundles);
  step('starting DynamoDB Local + s3rver');
  const env = await startBenchEnv();
  const origin = await startDatafileOrigin();
  try {
    step('5 webhook path');
    const sizes = [10 * KiB, 1 * MiB, 20 * MiB];
    const path = [];
    for (const [i, size] of sizes.entries()) path.push(await webhookPath(env, origin, size, plan.path[i] ?? 3));
    step('5 memory (20 MiB, child processes)');
    const mem = await memory(env, origin, 20 * MiB, plan.memory);
    step('6 burst');
    const storm = await burst(env, origin, 100, plan.burst);
    step('2 warm read');
    const warm = await warmRead(env, origin, READER_BYTES, plan.warm);
    step('3 revalidation');
    const reval = await revalidation(env, origin, READER_BYTES, plan.revalidation);
    step('4 cold load');
    const first = await coldLoad(env, origin, READER_BYTES, plan.cold);
    step('1 propagation (reader vs Optimizely SDK polling)');
    const prop = await propagation(env, origin, { trials: plan.propagation, idleMs: plan.idleMs, bytes: READER_BYTES });
    step('1 propagation (Optimizely SDK polling the mirror)');
    const mirror = await mirrorPropagation(env, origin, { trials: plan.propagation, idleMs: plan.idleMs, bytes: READER_BYTES });

    const results = {
      propagation: prop,
      mirror,
      warmRead: warm,
      revalidation: reval,
      coldLoad: first,
      webhookPath: path,
      memory: mem,
      burst: storm,
      coldStart: cold,
    };
    const table = render(rows(results, READER_BYTES));
    const machine = {
      cpuModel: cpus()[0]?.model ?? 'unknown',
      cpuCount: cpus().length,
      totalMemoryGiB: Number((totalmem() / 1024 ** 3).toFixed(1)),
      os: `${platform()} ${release()}`,
      node: process.version,
      date: new Date().toISOString(),
    };
    const out = { mode: quick ? 'quick' : 'full', durationSec: Math.round((Date.now() - started) / 1000), machine, table, results };
    writeFileSync(join(__dirname, 'results.json'), `${JSON.stringify(out, null, 2)}\n`);
    process.stdout.write(`\n${table}\n\n`);
    process.stdout.write(
      `${machine.cpuCount} × ${machine.cpuModel}, ${machine.totalMemoryGiB} GiB, ${machine.os}, Node ${machine.node}; ` +
        `${out.mode} run, ${out.durationSec} s. Written to bench/results.json.\n`,
    );
  } finally {
    await origin.close();
    await env.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
