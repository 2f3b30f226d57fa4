import { METRICS_NAMESPACE, reconcileObserver, webhookObserver } from '../../lib/metrics';
import { type Datapoint, datapointsFrom } from '../support/emf';
import { installCapture } from '../support/log-capture';

const capture = installCapture();

/** Run `act` and return the EMF datapoints it printed. */
function emitted(act: () => void): Datapoint[] {
  const mark = capture.mark();
  act();
  return datapointsFrom(capture.since(mark).filter((l) => l.source === 'stdout'));
}

const point = (metric: string, value: number, dimensions: Record<string, string>, unit = 'Count') =>
  expect.objectContaining({ namespace: METRICS_NAMESPACE, metric, value, unit, dimensions });

describe('webhookObserver', () => {
  const observe = webhookObserver({ service: 'fn-webhook' });

  it('counts a 5xx as a failure and the request under its outcome', () => {
    const points = emitted(() => observe({ statusCode: 503, outcome: 'storage_unavailable', durationMs: 12 }));

    expect(points).toEqual([
      point('WebhookFailures', 1, { service: 'fn-webhook' }),
      point('WebhookRequests', 1, { service: 'fn-webhook', Outcome: 'storage_unavailable' }),
    ]);
  });

  it('reports a success as zero failures, with the fetch duration and datafile size', () => {
    const points = emitted(() => observe({ statusCode: 200, outcome: 'updated', durationMs: 40, fetchMs: 31, bytes: 2048 }));

    expect(points).toEqual([
      point('WebhookFailures', 0, { service: 'fn-webhook' }),
      point('FetchDuration', 31, { service: 'fn-webhook' }, 'Milliseconds'),
      point('DatafileBytes', 2048, { service: 'fn-webhook' }, 'Bytes'),
      point('WebhookRequests', 1, { service: 'fn-webhook', Outcome: 'updated' }),
    ]);
  });

  it.each([401, 403, 400, 413])('does not count a %i (a verdict on the request anyone can provoke) as a failure', (statusCode) => {
    const points = emitted(() => observe({ statusCode, outcome: 'invalid_signature', durationMs: 1 }));

    expect(points.find((p) => p.metric === 'WebhookFailures')?.value).toBe(0);
  });

  it('drops a value CloudWatch would reject (NaN) with a warning, and still reports the request', () => {
    const mark = capture.mark();

    const points = emitted(() => observe({ statusCode: 502, outcome: 'datafile_fetch_failed', durationMs: 1, fetchMs: Number.NaN }));

    expect(points.map((p) => [p.metric, p.value, p.dimensions])).toEqual([
      ['WebhookFailures', 1, { service: 'fn-webhook' }],
      ['WebhookRequests', 1, { service: 'fn-webhook', Outcome: 'datafile_fetch_failed' }],
    ]);
    expect(capture.since(mark).filter((l) => l.source === 'log' && l.text.includes('metric dropped'))).toHaveLength(1);
  });
});

describe('reconcileObserver', () => {
  const observe = reconcileObserver({ service: 'fn-reconcile' });

  it('reports failed keys, repairs, the oldest pointer and each key on its own line', () => {
    const counts = { updated: 1, unchanged: 1, superseded: 0, pinned: 0, failed: 1 };
    const pointerAges = [
      { key: 'key_a', ageSeconds: 5 },
      { key: 'key_b', ageSeconds: 900 },
      { key: 'key_c', ageSeconds: 0 },
    ];

    const points = emitted(() => observe({ keys: 3, failed: 1, counts, pointerAges }));

    const service = { service: 'fn-reconcile' };
    expect(points).toEqual([
      point('ReconcileKeys', 3, service),
      point('ReconcileFailedKeys', 1, service),
      point('ReconcileUpdatedKeys', 1, service),
      point('MaxPointerAgeSeconds', 900, service, 'Seconds'),
      point('PointerAgeSeconds', 5, { ...service, Key: 'key_a' }, 'Seconds'),
      point('PointerAgeSeconds', 900, { ...service, Key: 'key_b' }, 'Seconds'),
      point('PointerAgeSeconds', 0, { ...service, Key: 'key_c' }, 'Seconds'),
    ]);
  });

  it('reports an empty table as zero keys and no pointer age', () => {
    const points = emitted(() => observe({ keys: 0, failed: 0, counts: {}, pointerAges: [] }));

    expect(points.map((p) => [p.metric, p.value])).toEqual([
      ['ReconcileKeys', 0],
      ['ReconcileFailedKeys', 0],
      ['ReconcileUpdatedKeys', 0],
    ]);
  });
});
