import { S3Mirror } from '../lib/aws/s3-mirror';
import { DATAFILE_PATH_PREFIX, datafilePath } from '../lib/layout';
import { serveHttpApi } from '../local/http-adapter';
import { localMirrorRoute } from '../local/mirror';
import { type BenchEnv, countingProxy, datafileOfSize } from './env';
import type { DatafileOrigin } from './origin';
import { startPollingSdk } from './sdk';
import { type Summary, summarize } from './stats';
import { benchApp, webhookEvent } from './webhook';

const KEY = 'sdk_key';
const INTERVAL_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface MirrorBenchResult {
  intervalMs: number;
  /** Webhook sent → the real SDK, polling the mirror (npm start's route), fires its config update. */
  propagation: Summary;
  /** Idle cost (no change), per minute, for one SDK: requests, how many were 304, wire bytes. */
  idlePerMinute: { requests: number; notModified: number; bytes: number };
}

/**
 * Item 1, third column: the Optimizely SDK (v6, polling every second) pointed at the mirror instead
 * of Optimizely's CDN. The real webhook stores each revision and publishes the mirror copy; the SDK
 * polls the local mirror route through a byte-counting proxy. Each trial starts at a random phase.
 */
export async function mirrorPropagation(env: BenchEnv, origin: DatafileOrigin, opts: { trials: number; idleMs: number; bytes: number }) {
  const target = { ...(await env.fresh()), origin };
  const { s3: mirrorS3 } = env.clients();
  const mirror = new S3Mirror({ bucket: target.bucket, client: mirrorS3, maxAgeSeconds: 1 });
  const { app, dynamo, s3 } = benchApp(env, target, [], { mirror });
  const route = localMirrorRoute({ s3: mirrorS3, bucket: target.bucket, maxAgeSeconds: 1 });
  const http = await serveHttpApi(app, '/webhook', 0, [route]);
  const statuses: number[] = [];
  http.server.on('request', (req, res) => {
    if (req.url?.startsWith(DATAFILE_PATH_PREFIX)) res.on('finish', () => statuses.push(res.statusCode));
  });
  const proxy = await countingProxy(http.port);
  let rev = 1;
  origin.prepare(rev, Buffer.from(datafileOfSize(rev, opts.bytes)));
  if ((await app(webhookEvent(origin, rev))).statusCode !== 200) throw new Error('seeding webhook failed');

  const sdk = await startPollingSdk(KEY, `${proxy.url}${datafilePath('%s')}`, INTERVAL_MS);
  const until = async (cond: () => boolean) => {
    const deadline = performance.now() + 30_000;
    while (!cond()) {
      if (performance.now() > deadline) throw new Error('update never arrived');
      await sleep(1);
    }
  };
  await until(() => sdk.revision() === 1);

  proxy.reset();
  const idleFrom = statuses.length;
  await sleep(opts.idleMs);
  const perMinute = 60_000 / opts.idleMs;
  const idle = statuses.slice(idleFrom);
  const idlePerMinute = {
    requests: idle.length * perMinute,
    notModified: idle.filter((s) => s === 304).length * perMinute,
    bytes: (proxy.bytesToClient + proxy.bytesToServer) * perMinute,
  };

  const propagationMs: number[] = [];
  for (let i = 0; i < opts.trials; i++) {
    const r = ++rev;
    origin.prepare(r, Buffer.from(datafileOfSize(r, opts.bytes)));
    await sleep(Math.random() * INTERVAL_MS);
    const t0 = performance.now();
    const res = await app(webhookEvent(origin, r));
    if (res.statusCode !== 200) throw new Error(`webhook answered ${res.statusCode}`);
    await until(() => sdk.revision() === r);
    propagationMs.push(sdk.seenAt() - t0);
    origin.forget(r);
  }

  await sdk.close();
  await proxy.close();
  http.server.closeAllConnections();
  await new Promise((r) => http.server.close(r));
  for (const c of [dynamo, s3, mirrorS3]) c.destroy();
  return { intervalMs: INTERVAL_MS, propagation: summarize(propagationMs), idlePerMinute } satisfies MirrorBenchResult;
}
