/**
 * Runs ONE webhook (or the raw I/O it must do) for a large datafile in a process of its own, and
 * prints how much memory it took above the settled baseline. Started by memory.ts with --expose-gc;
 * the stores and the origin live in the parent, so only the webhook path is measured here.
 *
 * Peak RSS comes from the kernel's high-water mark (VmHWM, reset through /proc/self/clear_refs), so
 * short spikes between samples are not missed; heap and ArrayBuffer peaks are sampled every ms.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Table } from '../lib/aws/table';
import { datafilePath, REVISION_SK_PREFIX } from '../lib/layout';
import { dynamoClient, s3Client } from './env';
import { benchApp, rawGet, webhookEvent } from './webhook';

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}
const [DYNAMO, S3, ORIGIN, TABLE, BUCKET, MODE, WARM_REV, REV] = [
  'DYNAMO',
  'S3',
  'ORIGIN',
  'TABLE',
  'BUCKET',
  'MODE',
  'WARM_REV',
  'REV',
].map(need) as [string, string, string, string, string, string, string, string];

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
