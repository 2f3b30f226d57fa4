import { datafilePath } from '../lib/layout';
import { createDatafileReader } from '../lib/reader';
import { type BenchEnv, countCommands, countingProxy, datafileOfSize } from './env';
import type { DatafileOrigin } from './origin';
import { startPollingSdk } from './sdk';
import { quantile, type Summary, summarize } from './stats';
import { benchApp, webhookEvent } from './webhook';

const KEY = 'sdk_key';
const SDK_KEY = 'sdk_poll';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PropagationResult {
  readerWindowMs: number;
  sdkMeasuredIntervalMs: number;
  /** Webhook sent → reader.get() returns the new revision (measured). */
  reader: Summary;
  /** Of which: the webhook's own processing (measured). */
  webhook: Summary;
  /** New datafile at the origin → SDK's config update, polling every sdkMeasuredIntervalMs (measured). */
  sdkMeasured: Summary;
  /** SDK poll answered with the new datafile → config update fired (measured; used by the model). */
  sdkFetchToUpdate: Summary;
  /** Modelled: uniform phase in [0, interval) + the measured fetch-to-update latency. */
  sdkModelled: Record<'default' | 'minimum', { intervalMs: number; p50: number; p95: number }>;
  /** The same model at the measured interval, to check it against the measurement. */
  modelCheck: { p50: number; p95: number };
  /** Idle cost (no change), per minute, for one polling process: requests and wire bytes. */
  idlePerMinute: { reader: { requests: number; bytes: number }; sdk: { requests: number; bytes: number } };
  perChange: { reader: { s3GetObject: number; bytes: number }; sdk: { fullGets: number; bytes: number } };
}

/**
 * Row 1. Both sides run at once, at the same request rate (the reader's default window = the SDK's
 * interval), trials alternating: the reader polls get() every 2 ms (a busy service) while the real
 * webhook stores a new revision; the SDK's polling config manager watches a local origin that
 * publishes the same update. Each trial starts at a random phase of the polling period.
 */
export async function propagation(env: BenchEnv, origin: DatafileOrigin, opts: { trials: number; idleMs: number; bytes: number }) {
  const target = { ...(await env.fresh()), origin };
  const { app, dynamo: appDynamo, s3: appS3 } = benchApp(env, target);
  const dynamoProxy = await countingProxy(Number(new URL(env.stores.dynamoEndpoint).port));
  const originProxy = await countingProxy(origin.port);
  const readerClients = env.clients({ dynamo: dynamoProxy.url });
  const reader = createDatafileReader({ table: target.table, bucket: target.bucket, ...readerClients, logger: () => undefined });
  const windowMs = 1000; // the reader's default maxAgeMs, restated here so the SDK can poll at the same rate
  let rev = 1;
  origin.prepare(rev, Buffer.from(datafileOfSize(rev, opts.bytes)));
  origin.publish(SDK_KEY, Buffer.from(datafileOfSize(rev, opts.bytes)));
  if ((await app(webhookEvent(origin, rev))).statusCode !== 200) throw new Error('seeding webhook failed');

  const sdk = await startPollingSdk(SDK_KEY, `${originProxy.url}${datafilePath('%s')}`, windowMs);

  let running = true;
  let readerRevision = 0;
  let readerSeenAt = 0;
  const poller = (async () => {
    while (running) {
      const got = await reader.get(KEY);
      if (got.revision > readerRevision) {
        readerRevision = got.revision;
        readerSeenAt = performance.now();
      }
      await sleep(2);
    }
  })();
  const until = async (cond: () => boolean) => {
    const deadline = performance.now() + 30_000;
    while (!cond()) {
      if (performance.now() > deadline) throw new Error('update never arrived');
      await sleep(1);
    }
  };
  await until(() => readerRevision === 1 && sdk.revision() === 1);

  // Idle cost first: nothing changes, both sides keep polling.
  const dynamoCounts = countCommands(readerClients.dynamo);
  const s3Counts = countCommands(readerClients.s3);
  dynamoProxy.reset();
  originProxy.reset();
  await sleep(opts.idleMs);
  const perMinute = 60_000 / opts.idleMs;
  const idlePerMinute = {
    reader: { requests: sum(dynamoCounts) * perMinute, bytes: (dynamoProxy.bytesToClient + dynamoProxy.bytesToServer) * perMinute },
    sdk: {
      requests: origin.polls.filter((p) => p.key === SDK_KEY && p.at > performance.now() - opts.idleMs).length * perMinute,
      bytes: (originProxy.bytesToClient + originProxy.bytesToServer) * perMinute,
    },
  };

  const readerMs: number[] = [];
  const webhookMs: number[] = [];
  const sdkMs: number[] = [];
  const fetchToUpdate: number[] = [];
  const s3Before = sum(s3Counts);
  const sdkFulls = () => origin.polls.filter((p) => p.key === SDK_KEY && p.status === 200).length;
  const sdkFullBefore = sdkFulls();
  for (let i = 0; i < opts.trials * 2; i++) {
    const r = ++rev;
    const bytes = Buffer.from(datafileOfSize(r, opts.bytes));
    await sleep(Math.random() * windowMs);
    if (i % 2 === 0) {
      origin.prepare(r, bytes);
      const t0 = performance.now();
      const res = await app(webhookEvent(origin, r));
      webhookMs.push(performance.now() - t0);
      if (res.statusCode !== 200) throw new Error(`webhook answered ${res.statusCode}`);
      await until(() => readerRevision === r);
      readerMs.push(readerSeenAt - t0);
      origin.forget(r);
    } else {
      const t0 = performance.now();
      origin.publish(SDK_KEY, bytes);
      await until(() => sdk.revision() === r);
      sdkMs.push(sdk.seenAt() - t0);
      const poll = origin.polls.find((p) => p.key === SDK_KEY && p.status === 200 && p.at >= t0);
      if (poll) fetchToUpdate.push(sdk.seenAt() - poll.at);
    }
  }
  const perChange = {
    reader: { s3GetObject: (sum(s3Counts) - s3Before) / opts.trials, bytes: opts.bytes },
    sdk: { fullGets: (sdkFulls() - sdkFullBefore) / opts.trials, bytes: opts.bytes },
  };
  running = false;
  await poller;
  await sdk.close();
  await reader.close();
  for (const c of [readerClients, { dynamo: appDynamo, s3: appS3 }]) {
    c.dynamo.destroy();
    c.s3.destroy();
  }
  await dynamoProxy.close();
  await originProxy.close();
  const model = (intervalMs: number) => modelled(intervalMs, fetchToUpdate);
  return {
    readerWindowMs: windowMs,
    sdkMeasuredIntervalMs: windowMs,
    reader: summarize(readerMs),
    webhook: summarize(webhookMs),
    sdkMeasured: summarize(sdkMs),
    sdkFetchToUpdate: summarize(fetchToUpdate),
    sdkModelled: { default: { intervalMs: 300_000, ...model(300_000) }, minimum: { intervalMs: 30_000, ...model(30_000) } },
    modelCheck: model(windowMs),
    idlePerMinute,
    perChange,
  } satisfies PropagationResult;
}

function sum(counts: Map<string, number>): number {
  return [...counts.values()].reduce((a, b) => a + b, 0);
}

/**
 * Expected delay of a poller: the update lands at a uniformly random point of the interval, so the
 * wait for the next poll is U(0, interval), plus the measured poll-to-update latency (sampled
 * from the measured trials). Monte Carlo over 20,000 draws, with a fixed-seed generator.
 */
function modelled(intervalMs: number, latencies: number[]): { p50: number; p95: number } {
  let seed = 42;
  const rand = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const draws: number[] = [];
  for (let i = 0; i < 20_000; i++) draws.push(rand() * intervalMs + (latencies[Math.floor(rand() * latencies.length)] ?? 0));
  draws.sort((a, b) => a - b);
  return { p50: quantile(draws, 0.5), p95: quantile(draws, 0.95) };
}
