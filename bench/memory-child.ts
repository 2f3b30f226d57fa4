/**
 * Runs ONE webhook (or the raw I/O it must do) for a large datafile in a process of its own, and
 * prints how much memory it took above the settled baseline. Started by memory.ts with --expose-gc;
 * the stores and the origin live in the parent, so only the webhook path is measured here.
 *
 * Peak RSS comes from the kernel's high-water mark (VmHWM, reset through /proc/self/clear_refs), so
 * short spikes between samples are not missed; heap and ArrayBuffer peaks are sampled every ms.
 *
 * Everything it needs comes as arguments from memory.ts (no environment variables: this is a private
 * parent-child protocol, not configuration): `--dynamo <url> --s3 <url> --origin <url> --table <name>
 * --bucket <name> --mode webhook|raw --warm-rev <n> --rev <n>`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Table } from '../lib/aws/table';
import { datafilePath, REVISION_SK_PREFIX } from '../lib/layout';
import { dynamoClient, s3Client } from './env';
import { benchApp, rawGet, webhookEvent } from './webhook';

const text = { type: 'string' } as const;
const { values: args } = parseArgs({
  options: { dynamo: text, s3: text, origin: text, table: text, bucket: text, mode: text, 'warm-rev': text, rev: text },
});
function need(name: keyof typeof args): string {
  const value = args[name];
  if (!value) throw new Error(`--${name} is required`);
  return value;
}
const DYNAMO = need('dynamo');
const S3 = need('s3');
const ORIGIN = need('origin');
const TABLE = need('table');
const BUCKET = need('bucket');
const MODE = need('mode');
const WARM_REV = need('warm-rev');
const REV = need('rev');

function hwm(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(m?.[1] ?? Number.NaN) * 1024;
}

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const origin = { url: ORIGIN, port: Number(new URL(ORIGIN).port) };
  const clients = { dynamo: dynamoClient(DYNAMO), s3: s3Client(S3) };
  const { app } = benchApp({ clients: () => clients }, { table: TABLE, bucket: BUCKET, origin });
  const raw = async (rev: string) => {
    const got = await rawGet(`${ORIGIN}${datafilePath('raw')}?rev=${rev}`);
    await clients.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `raw/${rev}.json`, Body: got }));
    await clients.dynamo.send(new PutItemCommand({ TableName: TABLE, Item: Table.key('raw', `${REVISION_SK_PREFIX}${rev}`) }));
  };
  const once = async (rev: string) => {
    if (MODE === 'raw') return raw(rev);
    const res = await app(webhookEvent(origin, Number(rev)));
    if (res.statusCode !== 200) throw new Error(`webhook answered ${res.statusCode} ${res.body}`);
  };
  // Warm-up with a small revision loads every module and opens the connections.
  await once(WARM_REV);
  gc();
  await new Promise((r) => setTimeout(r, 50));
  gc();
  const base = process.memoryUsage();
  writeFileSync('/proc/self/clear_refs', '5');
  const peak = { heapUsed: base.heapUsed, arrayBuffers: base.arrayBuffers, external: base.external };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
    peak.external = Math.max(peak.external, m.external);
  }, 1);
  await once(REV);
  clearInterval(sampler);
  const after = process.memoryUsage();
  peak.heapUsed = Math.max(peak.heapUsed, after.heapUsed);
  peak.arrayBuffers = Math.max(peak.arrayBuffers, after.arrayBuffers);
  peak.external = Math.max(peak.external, after.external);
  process.stdout.write(
    `${JSON.stringify({
      rss: hwm() - base.rss,
      heapUsed: peak.heapUsed - base.heapUsed,
      arrayBuffers: peak.arrayBuffers - base.arrayBuffers,
      external: peak.external - base.external,
    })}\n`,
  );
  clients.dynamo.destroy();
  clients.s3.destroy();
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
