/**
 * CloudWatch metrics for the two functions, as Embedded Metric Format lines on stdout (Powertools
 * for AWS Lambda): CloudWatch Logs turns each line into datapoints, with no PutMetricData call and no
 * extra IAM permission. Core code knows only the plain observation types below; the functions'
 * composition roots build the observers and inject them.
 *
 * Every datapoint carries the `service` dimension = the Lambda function's name, so two stages in one
 * account never share a metric and each alarm names its function with a `!Ref` (infra/alarms.yml).
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { createLogger, type LogLevel } from './log';

/** The namespace of every metric this project emits. */
export const METRICS_NAMESPACE = 'OptimizelyDatafileSync';

/** One answered webhook request. */
export interface WebhookObservation {
  statusCode: number;
  /** The response's `status` (updated, unchanged, superseded, pinned, ignored_event) or its `error` code. */
  outcome: string;
  durationMs: number;
  /** Time spent fetching the datafile, when one was fetched. */
  fetchMs?: number;
  /** Size of the fetched datafile, when one was fetched. */
  bytes?: number;
}

/** One finished reconcile run. */
export interface ReconcileObservation {
  keys: number;
  failed: number;
  counts: Record<string, number>;
  /** Per key: seconds since its pointer last moved (after this run's sync). */
  pointerAges: { key: string; ageSeconds: number }[];
}

export interface ObserverOptions {
  /** The `service` dimension; deployed, the Lambda function name. */
  service: string;
  namespace?: string;
  /** The level of the warnings about dropped metrics (the function's `LOG_LEVEL`); default info. */
  logLevel?: LogLevel;
}

/**
 * A webhook answer is a failure when it is a 5xx: every 5xx is a fault on our side or upstream
 * (storage, configuration, the Optimizely fetch, a crash), and nothing a caller sends can cause
 * one, since an unsigned request is refused with a 401 before anything is fetched or stored. A 4xx is
 * a verdict on the request, which anyone on the internet can provoke; an alarm on those would be an
 * alarm anyone can ring, so they are counted only per outcome.
 */
export function isWebhookFailure(statusCode: number): boolean {
  return statusCode >= 500;
}

/**
 * Emits per request: `WebhookFailures` (0 or 1) and, when a datafile was fetched, `FetchDuration`
 * and `DatafileBytes`, dimensioned by `service` alone; then `WebhookRequests` (1) dimensioned by
 * `service` and `Outcome`.
 */
export function webhookObserver(options: ObserverOptions): (o: WebhookObservation) => void {
  const emit = emitter(options);
  return (o) => {
    emit({}, [
      ['WebhookFailures', MetricUnit.Count, isWebhookFailure(o.statusCode) ? 1 : 0],
      ['FetchDuration', MetricUnit.Milliseconds, o.fetchMs],
      ['DatafileBytes', MetricUnit.Bytes, o.bytes],
    ]);
    emit({ Outcome: o.outcome || 'unknown' }, [['WebhookRequests', MetricUnit.Count, 1]]);
  };
}

/**
 * Emits per run: `ReconcileKeys`, `ReconcileFailedKeys`, `ReconcileUpdatedKeys` (repairs of a
 * missed webhook) and `MaxPointerAgeSeconds`, dimensioned by `service`; then one
 * `PointerAgeSeconds` per key, dimensioned by `service` and `Key`.
 */
export function reconcileObserver(options: ObserverOptions): (o: ReconcileObservation) => void {
  const emit = emitter(options);
  return (o) => {
    const ages = o.pointerAges.map((a) => a.ageSeconds);
    emit({}, [
      ['ReconcileKeys', MetricUnit.Count, o.keys],
      ['ReconcileFailedKeys', MetricUnit.Count, o.failed],
      ['ReconcileUpdatedKeys', MetricUnit.Count, o.counts.updated ?? 0],
      ['MaxPointerAgeSeconds', MetricUnit.Seconds, ages.length > 0 ? Math.max(...ages) : undefined],
    ]);
    // One line per key: an EMF line holds one value per dimension name.
    for (const { key, ageSeconds } of o.pointerAges) emit({ Key: key }, [['PointerAgeSeconds', MetricUnit.Seconds, ageSeconds]]);
  };
}

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/**
 * Print one EMF line: the `service` dimension plus `dimensions`, and each value that is a finite
 * number. Undefined means "not measured"; anything else non-finite (which Powertools would print as
 * null, making CloudWatch reject the whole line) is dropped with a warning. Metrics never fail the
 * work they describe, so an error here is logged, not thrown.
 */
function emitter(options: ObserverOptions): (dimensions: Record<string, string>, values: [string, Unit, number | undefined][]) => void {
  const metrics = new Metrics({ namespace: options.namespace ?? METRICS_NAMESPACE, serviceName: options.service });
  const warn = (message: string, fields: Record<string, unknown>) =>
    createLogger({ service: options.service }, options.logLevel).warn(message, fields);
  return (dimensions, values) => {
    try {
      const kept = values.filter(([name, , value]) => {
        if (value === undefined || Number.isFinite(value)) return value !== undefined;
        warn('metric dropped', { metric: name, value: String(value) });
        return false;
      });
      if (kept.length === 0) return;
      for (const [name, value] of Object.entries(dimensions)) metrics.addDimension(name, value);
      for (const [name, unit, value] of kept) metrics.addMetric(name, unit, value as number);
      metrics.publishStoredMetrics();
    } catch (error) {
      metrics.clearMetrics();
      metrics.clearDimensions();
      warn('metrics dropped', { error: error instanceof Error ? error.message : String(error) });
    }
  };
}
