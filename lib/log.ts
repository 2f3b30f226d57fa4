/**
 * Structured JSON logging: one object per line, with a level, a timestamp and a message.
 *
 * Defence in depth for secrets: every secret the configuration loads is registered here, and any
 * value that would contain one has it replaced by `[REDACTED]` before the line is serialised (so a
 * secret holding `"` or `\` is caught too: after serialising it would appear escaped). Code should
 * never log a secret in the first place; this catches the mistake if it does.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogSink = (line: string) => void;

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/** Every form a secret can take in a line: as is, and as JSON escapes it inside a string. Longest first. */
let forms: string[] = [];
const secrets = new Set<string>();
let sink: LogSink = (line) => process.stdout.write(`${line}\n`);

/** Register a value that must never appear in a log line (webhook secrets, access tokens). */
export function registerSecret(value: string): void {
  if (value.length < 4 || secrets.has(value)) return;
  secrets.add(value);
  const all = new Set([...forms, value, JSON.stringify(value).slice(1, -1)]);
  // Longest first: a secret that contains another is replaced whole, not around the shorter one.
  forms = [...all].sort((a, b) => b.length - a.length);
}

/** Replace where lines go (tests capture them). Returns the previous sink. */
export function setLogSink(next: LogSink): LogSink {
  const previous = sink;
  sink = next;
  return previous;
}

function redactText(text: string): string {
  let out = text;
  for (const form of forms) if (out.includes(form)) out = out.split(form).join('[REDACTED]');
  return out;
}

const MAX_DEPTH = 20;

/**
 * A JSON-ready copy of a logged value with every string (keys too) redacted. Errors keep their
 * name and message (JSON.stringify would print `{}`); cycles and excessive depth are cut.
 */
function scrub(value: unknown, depth: number, path: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (path.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Too deep]';
  const json = (value as { toJSON?: unknown }).toJSON;
  if (typeof json === 'function') return scrub(json.call(value), depth + 1, path);
  path.add(value);
  let out: unknown;
  if (Array.isArray(value)) {
    out = value.map((v) => scrub(v, depth + 1, path));
  } else {
    const entries = Object.entries(value);
    if (value instanceof Error) {
      entries.unshift(['name', value.name], ['message', value.message]);
      if (value.cause !== undefined) entries.push(['cause', value.cause]);
    }
    out = Object.fromEntries(entries.map(([k, v]) => [redactText(k), scrub(v, depth + 1, path)]));
  }
  path.delete(value);
  return out;
}

/**
 * A logger writing `minLevel` and above. The level is the caller's to pass (from `LOG_LEVEL`, read by
 * lib/config like every variable); this module never reads the environment.
 */
export function createLogger(base: Record<string, unknown> = {}, minLevel: LogLevel = 'info'): Logger {
  // Own keys only: a level of `constructor` must not find Object.prototype.constructor.
  const threshold = Object.hasOwn(LEVELS, minLevel) ? LEVELS[minLevel] : LEVELS.info;
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < threshold) return;
    const entry = { level, timestamp: new Date().toISOString(), message, ...base, ...fields };
    // Redact the values first, then the line once more (a toJSON result, anything the walk missed).
    sink(redactText(JSON.stringify(scrub(entry, 0, new WeakSet()))));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }, minLevel),
  };
}
