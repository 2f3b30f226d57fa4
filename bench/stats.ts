/** Order statistics for repeated trials: medians with their spread, and ratios to a baseline. */
export interface Summary {
  n: number;
  median: number;
  p25: number;
  p75: number;
  p95: number;
  min: number;
  max: number;
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? Number.NaN;
  return a + (b - a) * (pos - lo);
}

export function summarize(values: readonly number[]): Summary {
  const s = [...values].sort((a, b) => a - b);
  return {
    n: s.length,
    median: quantile(s, 0.5),
    p25: quantile(s, 0.25),
    p75: quantile(s, 0.75),
    p95: quantile(s, 0.95),
    min: s[0] ?? Number.NaN,
    max: s[s.length - 1] ?? Number.NaN,
  };
}

/**
 * Ratio of paired trials (subject[i] / baseline[i], each pair measured back to back), so a noisy
 * neighbour slows both sides of a pair alike.
 */
export function pairedRatio(subject: readonly number[], baseline: readonly number[]): Summary {
  const n = Math.min(subject.length, baseline.length);
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) ratios.push((subject[i] ?? Number.NaN) / (baseline[i] ?? Number.NaN));
  return summarize(ratios);
}

/**
 * Run `trials` rounds of baseline and subject interleaved (the order alternates each round) and
 * return both series in round order.
 */
export async function interleave(
  trials: number,
  baseline: (i: number) => Promise<number>,
  subject: (i: number) => Promise<number>,
): Promise<{ baseline: number[]; subject: number[] }> {
  const b: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < trials; i++) {
    if (i % 2 === 0) {
      b.push(await baseline(i));
      s.push(await subject(i));
    } else {
      s.push(await subject(i));
      b.push(await baseline(i));
    }
  }
  return { baseline: b, subject: s };
}

/** Milliseconds taken by `fn`. */
export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** "12.3 (11.0–14.1)" — median with the p25–p75 spread. */
export function fmt(s: Summary, digits = 1): string {
  return `${s.median.toFixed(digits)} (${s.p25.toFixed(digits)}–${s.p75.toFixed(digits)})`;
}
