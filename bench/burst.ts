import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Table } from '../lib/aws/table';
import { aliasObjectKey, datafilePath, REVISION_SK_PREFIX } from '../lib/layout';
import type { BenchEnv } from './env';
import { datafileOfSize, timeCommands } from './env';
import type { DatafileOrigin } from './origin';
import { pairedRatio, type Summary, summarize, timeMs } from './stats';
import { benchApp, pointerRevision, rawGet, webhookEvent } from './webhook';

export interface BurstResult {
  deliveries: number;
  trials: number;
  completionMs: Summary;
  rawIoMs: Summary;
  ratio: Summary;
  /** Status codes of the first delivery of each revision, over all trials. */
  statuses: Record<string, number>;
  /** 5xx answers redelivered (as Optimizely retries a failed webhook) before every revision was stored. */
  redeliveries: number;
  /** Pointer at the highest revision and latest.json carrying it, after every trial. */
  pointerCorrect: boolean;
  /** Mean AWS requests per delivery, by command (races add pointer re-reads and alias re-copies). */
  requestsPerDelivery: Record<string, number>;
}

function shuffled(n: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i + 1);
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j] as number, a[i] as number];
  }
  return a;
}

/**
 * Row 6: `n` webhooks for shuffled revisions of one key, all in flight at once through one app
 * instance; paired with the same number of concurrent raw fetch + PutObject + PutItem triples.
 */
export async function burst(env: BenchEnv, origin: DatafileOrigin, n: number, trials: number, bytes = 10 * 1024): Promise<BurstResult> {
  const subject: number[] = [];
  const baseline: number[] = [];
  const statuses: Record<string, number> = {};
  let redeliveries = 0;
  const requests: Record<string, number> = {};
  let pointerCorrect = true;
  let base = 0;
  for (let t = 0; t < trials; t++) {
    const target = { ...(await env.fresh()), origin };
    const errors: unknown[] = [];
    const { app, dynamo: appDynamo, s3: appS3 } = benchApp(env, target, errors);
    const commands = timeCommands(appDynamo, appS3);
    const { dynamo, s3 } = env.clients();
    const revisions = shuffled(n).map((r) => r + base);
    base += n;
    for (const r of revisions) origin.prepare(r, Buffer.from(datafileOfSize(r, bytes)));
    baseline.push(
      await timeMs(() =>
        Promise.all(
          revisions.map(async (r) => {
            const got = await rawGet(`${origin.url}${datafilePath('raw')}?rev=${r}`);
            await s3.send(new PutObjectCommand({ Bucket: target.bucket, Key: `raw/${r}.json`, Body: got }));
            await dynamo.send(new PutItemCommand({ TableName: target.table, Item: Table.key('raw', `${REVISION_SK_PREFIX}${r}`) }));
          }),
        ),
      ),
    );
    const failed: number[] = [];
    subject.push(
      await timeMs(() =>
        Promise.all(
          revisions.map(async (r) => {
            const res = await app(webhookEvent(origin, r));
            const code = `${res.statusCode} ${(JSON.parse(res.body) as { status?: string; error?: string }).error ?? 'ok'}`;
            statuses[code] = (statuses[code] ?? 0) + 1;
            if (res.statusCode >= 500) failed.push(r);
          }),
        ),
      ),
    );
    for (const r of failed) {
      for (let attempt = 0; attempt < 5; attempt++) {
        redeliveries++;
        if ((await app(webhookEvent(origin, r))).statusCode < 500) break;
      }
    }
    const max = Math.max(...revisions);
    const alias = await s3.send(new HeadObjectCommand({ Bucket: target.bucket, Key: aliasObjectKey('sdk_key') }));
    pointerCorrect &&= (await pointerRevision(dynamo, target.table)) === max && alias.Metadata?.revision === String(max);
    for (const r of revisions) origin.forget(r);
    for (const [name, t] of commands) requests[name] = (requests[name] ?? 0) + t.count / (n * trials);
    for (const c of [dynamo, s3, appDynamo, appS3]) c.destroy();
  }
  return {
    deliveries: n,
    trials,
    completionMs: summarize(subject),
    rawIoMs: summarize(baseline),
    ratio: pairedRatio(subject, baseline),
    statuses,
    redeliveries,
    pointerCorrect,
    requestsPerDelivery: requests,
  };
}
