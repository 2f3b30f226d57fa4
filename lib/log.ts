/**
 * Structured JSON logging: one object per line, with a level, a timestamp and a message.
 *
 * Defence in depth for secrets: every secret the configuration loads is registered here, and a line
 * that would contain one has it replaced by `[REDACTED]` before it is written. Code should never
 * log a secret in the first place; this catches the mistake if it does.
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

const secrets = new Set<string>();
let sink: LogSink = (line) => process.stdout.write(`${line}\n`);

/** Register a value that must never appear in a log line (webhook secrets, access tokens). */
export function registerSecret(value: string): void {
  if (value.length >= 4) secrets.add(value);
}

/** Replace where lines go (tests capture them). Returns the previous sink. */
export function setLogSink(next: LogSink): LogSink {
  const previous = sink;
  sink = next;
  return previous;
}

function redact(line: string): string {
  let out = line;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('[REDACTED]');
  return out;
}

export function createLogger(
  base: Record<string, unknown> = {},
  minLevel: LogLevel = (process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info',
): Logger {
  const threshold = LEVELS[minLevel] ?? LEVELS.info;
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < threshold) return;
    const entry = { level, timestamp: new Date().toISOString(), message, ...base, ...fields };
    sink(redact(JSON.stringify(entry)));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }, minLevel),
  };
}
