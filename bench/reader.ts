import { createHash } from 'node:crypto';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Table } from '../lib/aws/table';
import { datafilePath, POINTER_SK, revisionObjectKey } from '../lib/layout';
import { createDatafileReader } from '../lib/reader';
import { type BenchEnv, countCommands, datafileOfSize } from './env';
import type { DatafileOrigin } from './origin';
import { interleave, pairedRatio, type Summary, summarize, timeMs } from './stats';
import { benchApp, webhookEvent } from './webhook';

const KEY = 'sdk_key';
const quiet = () => undefined;

/** A table + bucket holding revision 1 of a `bytes`-sized datafile, stored by the real webhook. */
export async function storedDatafile(env: BenchEnv, origin: DatafileOrigin, bytes: number) {
  const target = { ...(await env.fresh()), origin };
  const { app, dynamo, s3 } = benchApp(env, target);
  const text = datafileOfSize(1, bytes);
  origin.prepare(1, Buffer.from(text));
  const res = await app(webhookEvent(origin, 1));
  origin.forget(1);
  dynamo.destroy();
  s3.destroy();
  if (res.statusCode !== 200) throw new Error(`seeding webhook answered ${res.statusCode}`);
  return { table: target.table, bucket: target.bucket, text };
}

export interface WarmReadResult {
  readsPerSec: Summary;
  httpGetsPerSec: Summary;
  ratio: Summary;
}

/** Row 2: get() inside the freshness window vs one keep-alive localhost HTTP GET per read (a sidecar). */
export async function warmRead(env: BenchEnv, origin: DatafileOrigin, bytes: number, trials: number): Promise<WarmReadResult> {
  const names = await storedDatafile(env, origin, bytes);
  const clients = env.clients();
  const reader = createDatafileReader({ ...names, ...clients, maxAgeMs: 3_600_000, logger: quiet });
  await reader.get(KEY);
  const sidecar = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(names.text)) }).end(names.text);
  });
  await new Promise<void>((r) => sidecar.listen(0, '127.0.0.1', r));
  const port = (sidecar.address() as AddressInfo).port;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const httpGet = () =>
    new Promise<string>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path: datafilePath(KEY), agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      })
        .on('error', reject)
        .end();
    });
  const reads = 200_000;
  const gets = 300;
  const run = await interleave(
    trials,
    async () =>
      gets /
      ((await timeMs(async () => {
        for (let i = 0; i < gets; i++) await httpGet();
      })) /
        1000),
    async () =>
      reads /
      ((await timeMs(async () => {
        for (let i = 0; i < reads; i++) await reader.get(KEY);
      })) /
        1000),
  );
  agent.destroy();
  await new Promise((r) => sidecar.close(r));
  await reader.close();
  clients.dynamo.destroy();
  clients.s3.destroy();
  return { readsPerSec: summarize(run.subject), httpGetsPerSec: summarize(run.baseline), ratio: pairedRatio(run.subject, run.baseline) };
}

export interface RevalidationResult {
  /** Client commands per revalidation with no change, by name (expected: GetItem 1). */
  requestsPerRevalidation: Record<string, number>;
  revalidateMs: Summary;
  rawGetItemMs: Summary;
  ratio: Summary;
}

/** Row 3: a get() past the window with nothing changed, vs one raw GetItem of the same item. */
export async function revalidation(env: BenchEnv, origin: DatafileOrigin, bytes: number, trials: number): Promise<RevalidationResult> {
  const names = await storedDatafile(env, origin, bytes);
  const clients = env.clients();
  const reader = createDatafileReader({ ...names, ...clients, maxAgeMs: 0, logger: quiet });
  await reader.get(KEY);
  const raw = env.clients();
  await raw.dynamo.send(getPointer(names.table));
  const dynamoCounts = countCommands(clients.dynamo);
  const s3Counts = countCommands(clients.s3);
  const run = await interleave(
    trials,
    () => timeMs(() => raw.dynamo.send(getPointer(names.table))),
    () => timeMs(() => reader.get(KEY)),
  );
  const perRevalidation: Record<string, number> = {};
  for (const [name, n] of [...dynamoCounts, ...s3Counts]) perRevalidation[name] = n / trials;
  perRevalidation.S3 = [...s3Counts.values()].reduce((a, b) => a + b, 0) / trials;
  await reader.close();
  for (const c of [clients, raw]) {
    c.dynamo.destroy();
    c.s3.destroy();
  }
  return {
    requestsPerRevalidation: perRevalidation,
    revalidateMs: summarize(run.subject),
    rawGetItemMs: summarize(run.baseline),
    ratio: pairedRatio(run.subject, run.baseline),
  };
}

function getPointer(table: string) {
  return new GetItemCommand({ TableName: table, Key: Table.key(KEY, POINTER_SK), ConsistentRead: true });
}

export interface ColdLoadResult {
  firstGetMs: Summary;
  rawMs: Summary;
  ratio: Summary;
}

/**
 * Row 4: the first get() of a new reader vs one raw GetItem + one raw GetObject (read to a
 * string). Each trial on both sides uses new clients, so both pay for new connections alike.
 */
export async function coldLoad(env: BenchEnv, origin: DatafileOrigin, bytes: number, trials: number): Promise<ColdLoadResult> {
  const names = await storedDatafile(env, origin, bytes);
  const s3Key = revisionObjectKey(KEY, 1, createHash('sha256').update(names.text).digest('hex'));
  const run = await interleave(
    trials + 1,
    async () => {
      const c = env.clients();
      const ms = await timeMs(async () => {
        await c.dynamo.send(getPointer(names.table));
        const out = await c.s3.send(new GetObjectCommand({ Bucket: names.bucket, Key: s3Key }));
        await out.Body?.transformToString();
      });
      c.dynamo.destroy();
      c.s3.destroy();
      return ms;
    },
    async () => {
      const c = env.clients();
      const reader = createDatafileReader({ ...names, ...c, logger: quiet });
      const ms = await timeMs(() => reader.get(KEY));
      await reader.close();
      c.dynamo.destroy();
      c.s3.destroy();
      return ms;
    },
  );
  const subject = run.subject.slice(1);
  const baseline = run.baseline.slice(1);
  return { firstGetMs: summarize(subject), rawMs: summarize(baseline), ratio: pairedRatio(subject, baseline) };
}
