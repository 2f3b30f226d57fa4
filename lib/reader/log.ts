/**
 * One structured event from the reader. Never carries datafile contents: only the key, revisions,
 * sha256 and error names/codes.
 *
 * @example
 * const event: ReaderLogEvent = { level: 'warn', message: 'serving stale datafile', key: 'sdk_key', revision: 42 };
 */
export interface ReaderLogEvent {
  level: 'info' | 'warn' | 'error';
  message: string;
  key?: string;
  revision?: number;
  previousRevision?: number;
  code?: string;
  error?: string;
}

/**
 * Where the reader's events go. The default writes one JSON line per event to the console
 * (which CloudWatch ingests as structured logs).
 *
 * @example
 * const logger: ReaderLogger = (event) => myLogger[event.level](event.message, event);
 */
export type ReaderLogger = (event: ReaderLogEvent) => void;

export const consoleLogger: ReaderLogger = (event) => {
  const line = JSON.stringify({ ...event, component: 'datafile-reader', time: new Date().toISOString() });
  if (event.level === 'info') console.log(line);
  else if (event.level === 'warn') console.warn(line);
  else console.error(line);
};

/** A short description of a failure for a log line: name, code, message — no request details. */
export function describe(error: unknown): { code?: string; error: string } {
  const e = error as { name?: string; code?: unknown; message?: string } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  return { ...(code ? { code } : {}), error: `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}` };
}
