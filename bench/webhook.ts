import { request } from 'node:http';
import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createWebhookApp, type WebhookAppOverrides } from '../lib/app';
import { Table } from '../lib/aws/table';
import { fetchPolicy, parseProjectsConfig } from '../lib/config';
import { datafilePath, POINTER_SK, REVISION_SK_PREFIX } from '../lib/layout';
import type { WebhookEvent } from '../lib/webhook/request';
import { PROJECT_ID } from '../test/support/datafiles';
import { httpApiEvent, payload, SECRET } from '../test/support/webhooks';
import { type BenchEnv, datafileOfSize, quietLogger, timeCommands } from './env';
import type { DatafileOrigin } from './origin';
import { interleave, pairedRatio, type Summary, summarize, timeMs } from './stats';

export interface Target {
  table: string;
  bucket: string;
  origin: Pick<DatafileOrigin, 'port' | 'url'>;
}

/** The real webhook app (lib/app.ts) against the local stores and origin, with production fetch limits. */
export function benchApp(env: Pick<BenchEnv, 'clients'>, target: Target, errors: unknown[] = [], extra: WebhookAppOverrides = {}) {
  const { dynamo, s3 } = env.clients();
  const projects = { projects: { [PROJECT_ID]: { secrets: [SECRET], accessTokens: {} } } };
  const app = createWebhookApp(
    {
      table: target.table,
      bucket: target.bucket,
      projects: { kind: 'static', config: parseProjectsConfig(JSON.stringify(projects), 'bench') },
      fetch: { ...fetchPolicy({}), allowedHosts: [`127.0.0.1:${target.origin.port}`], allowLoopback: true },
    },
    { s3, dynamo, logger: quietLogger(errors), ...extra },
  );
  return { app, dynamo, s3 };
}

/** A signed HTTP API event announcing `revision` of `key`; the origin serves it at `?rev=`. */
export function webhookEvent(origin: Pick<DatafileOrigin, 'url'>, revision: number, key = 'sdk_key'): WebhookEvent {
  return httpApiEvent(payload({ revision, key, origin: origin.url, query: `?rev=${revision}` }));
}

/** Plain GET of the whole body (what the webhook's fetch must at least do). */
export function rawGet(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

export interface WebhookPathResult {
  bytes: number;
  webhookMs: Summary;
  rawIoMs: Summary;
  ratio: Summary;
  /**
   * Per webhook: the time spent in its AWS requests (summed, from the clients' own timing) and the
   * rest of its wall time, which is the code's own work (fetch, checks, diff) plus overlap.
   */
  inRequestsMs?: Summary;
  outsideRequestsMs?: Summary;
  /** AWS requests one webhook makes, by command, with their mean time (where the time goes). */
  perWebhook: Record<string, { count: number; ms: number }>;
}

/** Row 5: end-to-end webhook time for a datafile of `bytes`, paired with the raw I/O it has to do. */
export async function webhookPath(env: BenchEnv, origin: DatafileOrigin, bytes: number, trials: number): Promise<WebhookPathResult> {
  const target = { ...(await env.fresh()), origin };
  const errors: unknown[] = [];
  const { app, dynamo: appDynamo, s3: appS3 } = benchApp(env, target, errors);
  const commands = timeCommands(appDynamo, appS3);
  const { dynamo, s3 } = env.clients();
  let revision = 0;
  let lastWebhook = 0;
  const inRequests: number[] = [];
  const requestMs = () => [...commands.values()].reduce((sum, c) => sum + c.ms, 0);
  const run = await interleave(
    trials + 1,
    async () => {
      const body = Buffer.from(datafileOfSize(++revision, bytes));
      origin.prepare(revision, body);
      const r = revision;
      const ms = await timeMs(async () => {
        const got = await rawGet(`${origin.url}${datafilePath('raw')}?rev=${r}`);
        await s3.send(new PutObjectCommand({ Bucket: target.bucket, Key: `raw/${r}.json`, Body: got, ContentType: 'application/json' }));
        await dynamo.send(new PutItemCommand({ TableName: target.table, Item: Table.key('raw', `${REVISION_SK_PREFIX}${r}`) }));
      });
      origin.forget(r);
      return ms;
    },
    async () => {
      origin.prepare(++revision, Buffer.from(datafileOfSize(revision, bytes)));
      const r = revision;
      lastWebhook = r;
      let status = 0;
      const before = requestMs();
      const ms = await timeMs(async () => {
        status = (await app(webhookEvent(origin, r))).statusCode;
      });
      inRequests.push(requestMs() - before);
      origin.forget(r);
      if (status !== 200) throw new Error(`webhook answered ${status}: ${JSON.stringify(errors.at(-1))}`);
      return ms;
    },
  );
  // The first pair warms connections and code paths; it is not a trial.
  const subject = run.subject.slice(1);
  const baseline = run.baseline.slice(1);
  const pointer = await pointerRevision(dynamo, target.table);
  if (pointer !== lastWebhook) throw new Error(`pointer at ${pointer}, expected ${lastWebhook}`);
  for (const c of [dynamo, s3, appDynamo, appS3]) c.destroy();
  const perWebhook: WebhookPathResult['perWebhook'] = {};
  for (const [name, t] of commands) perWebhook[name] = { count: t.count / (trials + 1), ms: t.ms / t.count };
  const spent = inRequests.slice(1);
  return {
    bytes,
    webhookMs: summarize(subject),
    rawIoMs: summarize(baseline),
    ratio: pairedRatio(subject, baseline),
    inRequestsMs: summarize(spent),
    outsideRequestsMs: summarize(subject.map((total, i) => total - (spent[i] ?? 0))),
    perWebhook,
  };
}

export async function pointerRevision(dynamo: DynamoDBClient, table: string, key = 'sdk_key'): Promise<number | undefined> {
  const out = await dynamo.send(new GetItemCommand({ TableName: table, Key: Table.key(key, POINTER_SK), ConsistentRead: true }));
  return out.Item?.revision?.N === undefined ? undefined : Number(out.Item.revision.N);
}
