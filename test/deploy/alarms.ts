import type { Datapoint } from '../support/emf';
import { resourcesOfType, type Template } from './template';

/** A CloudWatch alarm of the packaged template, its dimension values resolved to names. */
export interface Alarm {
  id: string;
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  statistic: string;
  threshold: number;
  comparison: string;
}

const STATISTICS = ['Sum', 'Maximum', 'Minimum', 'Average', 'SampleCount'];

/**
 * Every `AWS::CloudWatch::Alarm`, as the metric it watches. A dimension value that is a `Ref` to a
 * Lambda function resolves to that function's name (what `!Ref` yields once deployed).
 */
export function alarmsOf(template: Template): Alarm[] {
  return resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([id, r]) => {
    const p = r.Properties ?? {};
    if (p.Metrics || p.ExtendedStatistic) throw new Error(`${id}: metric math and percentiles are not checked here; extend the check`);
    const dimensions = (p.Dimensions as { Name: string; Value: unknown }[] | undefined) ?? [];
    return {
      id,
      namespace: String(p.Namespace),
      metric: String(p.MetricName),
      dimensions: Object.fromEntries(dimensions.map((d) => [d.Name, resolve(template, d.Value, id)])),
      statistic: String(p.Statistic),
      threshold: Number(p.Threshold),
      comparison: String(p.ComparisonOperator),
    };
  });
}

function resolve(template: Template, value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  const ref = (value as { Ref?: string } | null)?.Ref;
  const name = ref ? template.Resources[ref]?.Properties?.FunctionName : undefined;
  if (typeof name !== 'string') throw new Error(`${where}: cannot resolve dimension value ${JSON.stringify(value)}`);
  return name;
}

/** The datapoints an alarm would see: same namespace, metric name and exactly the same dimensions. */
export function watchedBy(alarm: Alarm, points: readonly Datapoint[]): Datapoint[] {
  const want = JSON.stringify(Object.entries(alarm.dimensions).sort());
  return points.filter(
    (p) => p.namespace === alarm.namespace && p.metric === alarm.metric && JSON.stringify(Object.entries(p.dimensions).sort()) === want,
  );
}

/** Alarms that watch nothing the code (or, for AWS/Lambda, the platform) emitted, or use an unknown statistic. */
export function unmatchedAlarms(alarms: readonly Alarm[], points: readonly Datapoint[]): string[] {
  return alarms.filter((a) => !STATISTICS.includes(a.statistic) || watchedBy(a, points).length === 0).map((a) => a.id);
}

/** Whether the datapoints of one evaluation period would put the alarm in ALARM. */
export function breaches(alarm: Alarm, points: readonly Datapoint[]): boolean {
  const values = watchedBy(alarm, points).map((p) => p.value);
  if (values.length === 0) return false;
  const stat: Record<string, number> = {
    Sum: values.reduce((a, b) => a + b, 0),
    Maximum: Math.max(...values),
    Minimum: Math.min(...values),
    Average: values.reduce((a, b) => a + b, 0) / values.length,
    SampleCount: values.length,
  };
  const v = stat[alarm.statistic];
  if (v === undefined) throw new Error(`${alarm.id}: unknown statistic ${alarm.statistic}`);
  switch (alarm.comparison) {
    case 'GreaterThanOrEqualToThreshold':
      return v >= alarm.threshold;
    case 'GreaterThanThreshold':
      return v > alarm.threshold;
    case 'LessThanThreshold':
      return v < alarm.threshold;
    case 'LessThanOrEqualToThreshold':
      return v <= alarm.threshold;
    default:
      throw new Error(`${alarm.id}: unknown comparison ${alarm.comparison}`);
  }
}

/** What Lambda itself records for one invocation: Errors is 1 when the handler threw, else 0. */
export function lambdaErrors(functionName: string, threw: boolean): Datapoint {
  return { namespace: 'AWS/Lambda', metric: 'Errors', unit: 'Count', dimensions: { FunctionName: functionName }, value: threw ? 1 : 0 };
}
