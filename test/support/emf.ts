import type { CapturedLine } from './log-capture';

/** One datapoint CloudWatch would extract from an Embedded Metric Format line. */
export interface Datapoint {
  namespace: string;
  metric: string;
  unit?: string;
  dimensions: Record<string, string>;
  value: number;
}

interface EmfLine {
  _aws?: { CloudWatchMetrics?: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit?: string }[] }[] };
  [field: string]: unknown;
}

/**
 * Read captured stdout as CloudWatch does: every JSON line with an `_aws` directive yields one
 * datapoint per metric, per value and per dimension set, dimension values taken from the line's
 * top-level fields. A dimension with no value invalidates the line, as it does in CloudWatch.
 */
export function datapointsFrom(lines: readonly CapturedLine[]): Datapoint[] {
  const points: Datapoint[] = [];
  for (const { text } of lines) {
    for (const raw of text.split('\n')) {
      const line = parse(raw);
      for (const directive of line?._aws?.CloudWatchMetrics ?? []) {
        for (const set of directive.Dimensions) {
          const dimensions = Object.fromEntries(set.map((name) => [name, line?.[name]]));
          if (Object.values(dimensions).some((v) => typeof v !== 'string')) throw new Error(`EMF dimension without a value: ${raw}`);
          for (const { Name, Unit } of directive.Metrics) {
            const values = [line?.[Name]].flat();
            for (const value of values) {
              if (typeof value !== 'number') throw new Error(`EMF metric ${Name} without a numeric value: ${raw}`);
              points.push({
                namespace: directive.Namespace,
                metric: Name,
                unit: Unit,
                dimensions: dimensions as Record<string, string>,
                value,
              });
            }
          }
        }
      }
    }
  }
  return points;
}

function parse(raw: string): EmfLine | undefined {
  if (!raw.trimStart().startsWith('{')) return undefined;
  try {
    return JSON.parse(raw) as EmfLine;
  } catch {
    return undefined;
  }
}
