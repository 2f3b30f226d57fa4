import type { Env } from '../config';
import type { Logger } from '../log';

/** Where the CLI writes (tests capture it) and the environment it reads. */
export interface CliIo {
  out(line: string): void;
  /** Progress and errors: stderr, so stdout stays parseable (`--json`). */
  err(line: string): void;
  env: Env;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

/** A Logger for core code the CLI calls: warnings and errors as one readable stderr line. */
export function stderrLogger(io: CliIo): Logger {
  const write = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    io.err(`${level}: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`);
  const quiet = () => undefined;
  const logger: Logger = { debug: quiet, info: quiet, warn: write('warning'), error: write('error'), child: () => logger };
  return logger;
}

/** A plain text table: header, then rows, columns padded to the widest cell. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** `3d 4h`, `12m`, `40s`: how long ago an ISO time was. */
export function age(iso: string, now: Date): string {
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(iso)) / 1000));
  if (Number.isNaN(seconds)) return '?';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86400)}d ${Math.floor((seconds % 86400) / 3600)}h`;
}
