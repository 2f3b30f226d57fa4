import type { Summary } from './stats';

export interface Row {
  item: string;
  measure: string;
  subject: string;
  baseline: string;
  ratio: string;
}

/** A plain-text table (also valid Markdown), columns padded to their widest cell. */
export function render(rows: Row[]): string {
  const header: Row = { item: '#', measure: 'Measure', subject: 'This project', baseline: 'Baseline', ratio: 'Ratio' };
  const keys = ['item', 'measure', 'subject', 'baseline', 'ratio'] as const;
  const all = [header, ...rows];
  const width = keys.map((k) => Math.max(...all.map((r) => r[k].length)));
  const line = (r: Row) => `| ${keys.map((k, i) => r[k].padEnd(width[i] ?? 0)).join(' | ')} |`;
  const rule = `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Milliseconds with sensible precision. */
export function ms(v: number): string {
  if (v >= 60_000) return `${(v / 60_000).toFixed(1)} min`;
  if (v >= 10_000) return `${(v / 1000).toFixed(1)} s`;
  if (v >= 100) return `${v.toFixed(0)} ms`;
  return `${v.toFixed(1)} ms`;
}

/** "median (p25–p75)" in ms. */
export function msSpread(s: Summary): string {
  return `${ms(s.median)} (${ms(s.p25)}–${ms(s.p75)})`;
}

export function num(v: number): string {
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(0)} k`;
  if (v >= 100) return v.toFixed(0);
  return v.toFixed(1);
}

export function bytes(v: number): string {
  if (v >= 1024 * 1024) return `${(v / 1024 / 1024).toFixed(1)} MiB`;
  if (v >= 1024) return `${(v / 1024).toFixed(1)} KiB`;
  return `${v.toFixed(0)} B`;
}

/** "×1.23 (1.10–1.40)" — a ratio with its p25–p75 spread. */
export function ratio(s: Summary): string {
  return `×${fix(s.median)} (${fix(s.p25)}–${fix(s.p75)})`;
}

export function times(v: number): string {
  return `×${fix(v)}`;
}

function fix(v: number): string {
  if (v > 0 && v < 0.1) return v.toPrecision(2);
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}
