import type { BundleResult } from './bundles';
import type { BurstResult } from './burst';
import type { MemoryResult } from './memory';
import type { MirrorBenchResult } from './mirror';
import type { PropagationResult } from './propagation';
import type { ColdLoadResult, RevalidationResult, WarmReadResult } from './reader';
import type { Summary } from './stats';
import { bytes, ms, msSpread, num, type Row, ratio, times } from './table';
import type { WebhookPathResult } from './webhook';

export interface AllResults {
  propagation: PropagationResult;
  /** The SDK polling the mirror (absent in results recorded before the mirror existed). */
  mirror?: MirrorBenchResult;
  warmRead: WarmReadResult;
  revalidation: RevalidationResult;
  coldLoad: ColdLoadResult;
  webhookPath: WebhookPathResult[];
  memory: MemoryResult;
  burst: BurstResult;
  coldStart: { emptyNodeMs: Summary; bundles: BundleResult[]; packaged: Record<string, number> };
}

/** The rows of the one table `npm run bench` prints (lower is better unless the measure says ↑). */
export function rows(r: AllResults, readerBytes: number): Row[] {
  const mirror = r.mirror ? mirrorRows(r.mirror, r.propagation) : [];
  return [...propagationRows(r.propagation), ...mirror, ...readerRows(r, readerBytes), ...webhookRows(r), ...coldStartRows(r.coldStart)];
}

function propagationRows(p: PropagationResult): Row[] {
  const row = (measure: string, subject: number, baseline: number, label = ''): Row => ({
    item: '1',
    measure,
    subject: subject === p.reader.median ? msSpread(p.reader) : ms(subject),
    baseline: `${ms(baseline)}${label}`,
    ratio: times(subject / baseline),
  });
  const { reader, sdkMeasured, sdkModelled, idlePerMinute: idle } = p;
  const sdkDefaultPerMin = 60_000 / sdkModelled.default.intervalMs;
  const bytesPer304 = idle.sdk.requests > 0 ? idle.sdk.bytes / idle.sdk.requests : 0;
  return [
    row('propagation p50 vs SDK default 5 min', reader.median, sdkModelled.default.p50, ' (modelled)'),
    row('propagation p95 vs SDK default 5 min', reader.p95, sdkModelled.default.p95, ' (modelled)'),
    row('propagation p50 vs SDK minimum 30 s', reader.median, sdkModelled.minimum.p50, ' (modelled)'),
    row('propagation p95 vs SDK minimum 30 s', reader.p95, sdkModelled.minimum.p95, ' (modelled)'),
    {
      item: '1',
      measure: `equal rate (${p.readerWindowMs / 1000} s): propagation p50 / p95`,
      subject: `${ms(reader.median)} / ${ms(reader.p95)}`,
      baseline: `${ms(sdkMeasured.median)} / ${ms(sdkMeasured.p95)}`,
      ratio: `${times(reader.median / sdkMeasured.median)} / ${times(reader.p95 / sdkMeasured.p95)}`,
    },
    {
      item: '1',
      measure: 'of which: the webhook itself (p50)',
      subject: ms(p.webhook.median),
      baseline: `SDK poll→update ${ms(p.sdkFetchToUpdate.median)}`,
      ratio: '—',
    },
    {
      item: '1',
      measure: 'equal rate: idle requests / min',
      subject: `${num(idle.reader.requests)} GetItem`,
      baseline: `${num(idle.sdk.requests)} GET (304)`,
      ratio: times(idle.reader.requests / idle.sdk.requests),
    },
    {
      item: '1',
      measure: 'equal rate: idle wire bytes / min',
      subject: bytes(idle.reader.bytes),
      baseline: bytes(idle.sdk.bytes),
      ratio: times(idle.reader.bytes / idle.sdk.bytes),
    },
    {
      item: '1',
      measure: 'defaults: idle requests / min (bytes)',
      subject: `${num(idle.reader.requests)} (${bytes(idle.reader.bytes)})`,
      baseline: `${sdkDefaultPerMin} (${bytes(bytesPer304 * sdkDefaultPerMin)}) at 5 min, computed`,
      ratio: times(idle.reader.requests / sdkDefaultPerMin),
    },
    {
      item: '1',
      measure: 'per change, per process',
      subject: `${num(p.perChange.reader.s3GetObject)} GetObject (${bytes(p.perChange.reader.bytes)})`,
      baseline: `${num(p.perChange.sdk.fullGets)} GET (${bytes(p.perChange.sdk.bytes)})`,
      ratio: times(p.perChange.reader.s3GetObject / p.perChange.sdk.fullGets),
    },
  ];
}

/** The SDK polling the mirror at 1 s, beside the reader and the SDK polling the origin at the same rate. */
function mirrorRows(m: MirrorBenchResult, p: PropagationResult): Row[] {
  const idle = m.idlePerMinute;
  const origin = p.idlePerMinute.sdk;
  return [
    {
      item: '1',
      measure: `SDK → mirror (${m.intervalMs / 1000} s): propagation p50 / p95`,
      subject: `${ms(m.propagation.median)} / ${ms(m.propagation.p95)}`,
      baseline: `reader ${ms(p.reader.median)} / ${ms(p.reader.p95)}; SDK → origin ${ms(p.sdkMeasured.median)} / ${ms(p.sdkMeasured.p95)}`,
      ratio: `${times(m.propagation.median / p.reader.median)} / ${times(m.propagation.p95 / p.reader.p95)} reader`,
    },
    {
      item: '1',
      measure: `SDK → mirror (${m.intervalMs / 1000} s): idle requests (304s) / min, bytes`,
      subject: `${num(idle.requests)} (${num(idle.notModified)} 304), ${bytes(idle.bytes)}`,
      baseline: `reader ${num(p.idlePerMinute.reader.requests)}, ${bytes(p.idlePerMinute.reader.bytes)}; SDK → origin ${num(origin.requests)}, ${bytes(origin.bytes)}`,
      ratio: `${times(idle.bytes / origin.bytes)} origin bytes`,
    },
  ];
}

function readerRows(r: AllResults, readerBytes: number): Row[] {
  const reqs = Object.entries(r.revalidation.requestsPerRevalidation)
    .map(([k, v]) => `${k.replace(/Command$/, '')} ${num(v)}`)
    .join(', ');
  return [
    {
      item: '2',
      measure: `warm get() / s ↑ (${bytes(readerBytes)} datafile)`,
      subject: `${num(r.warmRead.readsPerSec.median)} (${num(r.warmRead.readsPerSec.p25)}–${num(r.warmRead.readsPerSec.p75)})`,
      baseline: `${num(r.warmRead.httpGetsPerSec.median)} localhost GET`,
      ratio: ratio(r.warmRead.ratio),
    },
    { item: '3', measure: 'requests per revalidation, no change', subject: reqs, baseline: 'GetItem 1', ratio: '—' },
    {
      item: '3',
      measure: 'revalidation latency',
      subject: msSpread(r.revalidation.revalidateMs),
      baseline: `${msSpread(r.revalidation.rawGetItemMs)} GetItem`,
      ratio: ratio(r.revalidation.ratio),
    },
    {
      item: '4',
      measure: 'cold load: first get()',
      subject: msSpread(r.coldLoad.firstGetMs),
      baseline: `${msSpread(r.coldLoad.rawMs)} GetItem+GetObject`,
      ratio: ratio(r.coldLoad.ratio),
    },
  ];
}

function webhookRows(r: AllResults): Row[] {
  const m = r.memory;
  const b = r.burst;
  const first = r.webhookPath[0];
  const calls = Object.entries(first?.perWebhook ?? {});
  const total = calls.reduce((a, [, c]) => a + c.count, 0);
  const requestRow: Row = {
    item: '5',
    measure: `AWS requests per webhook, ${bytes(first?.bytes ?? 0)}`,
    subject: calls.map(([k, c]) => `${k} ${num(c.count)}`).join(', '),
    baseline: 'PutObject 1, PutItem 1',
    ratio: times(total / 2),
  };
  return [
    ...r.webhookPath.map(
      (w): Row => ({
        item: '5',
        measure: `webhook end to end, ${bytes(w.bytes)}`,
        subject: msSpread(w.webhookMs),
        baseline: `${msSpread(w.rawIoMs)} raw I/O`,
        ratio: ratio(w.ratio),
      }),
    ),
    requestRow,
    ...r.webhookPath.flatMap((w): Row[] =>
      w.inRequestsMs && w.outsideRequestsMs
        ? [
            {
              item: '5',
              measure: `of which: in its AWS requests / outside them, ${bytes(w.bytes)}`,
              subject: `${ms(w.inRequestsMs.median)} / ${ms(w.outsideRequestsMs.median)}`,
              baseline: `${ms(w.rawIoMs.median)} raw I/O`,
              ratio: `${times(w.inRequestsMs.median / w.rawIoMs.median)} / ${times(w.outsideRequestsMs.median / w.rawIoMs.median)}`,
            },
          ]
        : [],
    ),
    {
      item: '5',
      measure: `peak RSS above baseline, ${bytes(m.bytes)}`,
      subject: `${bytes(m.webhook.rss.median * m.bytes)} = ${times(m.webhook.rss.median)} size`,
      baseline: `${bytes(m.rawIo.rss.median * m.bytes)} = ${times(m.rawIo.rss.median)} (raw I/O)`,
      ratio: times(m.webhook.rss.median / m.rawIo.rss.median),
    },
    {
      item: '6',
      measure: `burst: ${b.deliveries} concurrent webhooks`,
      subject: msSpread(b.completionMs),
      baseline: `${msSpread(b.rawIoMs)} raw I/O`,
      ratio: ratio(b.ratio),
    },
    {
      item: '6',
      measure: 'burst: outcome',
      subject: `pointer + latest.json ${b.pointerCorrect ? 'correct' : 'WRONG'}; ${Object.entries(b.statuses)
        .map(([k, v]) => `${k} ${v}/${b.deliveries * b.trials}`)
        .join(', ')}`,
      baseline: `${b.redeliveries} redelivered`,
      ratio: '—',
    },
    {
      item: '6',
      measure: 'burst: AWS requests per delivery',
      subject: Object.entries(b.requestsPerDelivery)
        .map(([k, v]) => `${k} ${num(v)}`)
        .join(', '),
      baseline: 'PutObject 1, PutItem 1',
      ratio: times(Object.values(b.requestsPerDelivery).reduce((a, v) => a + v, 0) / 2),
    },
  ];
}

function coldStartRows(c: AllResults['coldStart']): Row[] {
  const packaged = Object.entries(c.packaged).map(
    ([zip, size]): Row => ({
      item: '7',
      measure: `.serverless/${zip} (serverless package)`,
      subject: bytes(size),
      baseline: '—',
      ratio: '—',
    }),
  );
  return packaged.concat(
    c.bundles.flatMap((b): Row[] => [
      { item: '7', measure: `${b.name}: bundle (gzip)`, subject: `${bytes(b.bytes)} (${bytes(b.gzipBytes)})`, baseline: '—', ratio: '—' },
      {
        item: '7',
        measure: `${b.name}: node start + init`,
        subject: b.initError ? `init failed: ${b.initError}` : msSpread(b.initMs),
        baseline: `${msSpread(c.emptyNodeMs)} node -e 0`,
        ratio: ratio(b.initRatio),
      },
    ]),
  );
}
