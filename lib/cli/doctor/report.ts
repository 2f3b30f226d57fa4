import type { KeyPointer } from './stores';

/** One line of `doctor`: what was checked, whether it holds, and for a failure what to do. */
export interface CheckResult {
  check: string;
  /** True for a pass and for a check that does not apply here (skipped); false fails the run. */
  ok: boolean;
  skipped: boolean;
  detail: string;
  fix: string | null;
  /** Text output only: lines printed indented under the check's line (bounded by the check). */
  lines?: string[];
  /** pointers: every key's pointer, for --json (the text lines show the first few). */
  keys?: KeyPointer[];
}

export const pass = (check: string, detail: string): CheckResult => ({ check, ok: true, skipped: false, detail, fix: null });
export const fail = (check: string, detail: string, fix: string): CheckResult => ({ check, ok: false, skipped: false, detail, fix });
export const skip = (check: string, reason: string): CheckResult => ({ check, ok: true, skipped: true, detail: reason, fix: null });

/** A failed AWS call as a check failure: the error's class and message, never request details. */
export function failed(check: string, action: string, error: unknown, fix: string): CheckResult {
  const { name, message } = (error ?? {}) as { name?: string; message?: string };
  const why = [name, message].filter(Boolean).join(': ') || String(error);
  return fail(check, `could not ${action} (${why})`, fix);
}

const WIDTH = 'reader-policy'.length + 1;

/** `✓ table         datafile-sync-prod reachable`; a failure ends with its fix on the same line. */
export function renderLine(r: CheckResult): string {
  const mark = r.skipped ? '-' : r.ok ? '✓' : '✗';
  const detail = r.skipped ? `skipped: ${r.detail}` : r.detail;
  return `${mark} ${r.check.padEnd(WIDTH)}${detail}${r.fix ? ` — fix: ${r.fix}` : ''}`;
}

/** The check's line, then its detail lines indented to its detail column. */
export function renderLines(r: CheckResult): string[] {
  return [renderLine(r), ...(r.lines ?? []).map((l) => `${' '.repeat(2 + WIDTH)}${l}`)];
}

/** `--json`: every check as `{ check, ok, skipped, detail, fix }`, plus `keys` for pointers; no text lines. */
export function renderJson(results: CheckResult[]): string {
  return JSON.stringify(
    results.map(({ lines: _, ...r }) => r),
    null,
    2,
  );
}

/**
 * Defence in depth: checks never put a secret in a line, but whatever the configuration check
 * loaded is blanked out of every line before it is printed, in case one slips into an AWS message.
 */
export function scrub(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4 && out.includes(s)) out = out.split(s).join('[REDACTED]');
  return out;
}
