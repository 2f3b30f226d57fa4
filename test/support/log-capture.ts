import { setLogSink } from '../../lib/log';

/** One captured line and where it was written. */
export interface CapturedLine {
  source: 'log' | 'console' | 'stdout' | 'stderr';
  text: string;
}

export interface LogCapture {
  /** A position to read or forget from. */
  mark(): number;
  since(mark: number): CapturedLine[];
  all(): CapturedLine[];
  /** Drop lines from `mark` on (a test that leaks on purpose cleans up after itself). */
  forget(mark: number): void;
  uninstall(): void;
}

const KEY = Symbol.for('datafile-sync.log-capture');
type Holder = { [KEY]?: LogCapture };

/**
 * Capture everything the code can write: the structured log sink (lib/log.ts), console.* and raw
 * process.stdout / process.stderr writes. Log-sink, console and stdout lines are kept quiet unless
 * LOG_TO_STDOUT is set (set it to see them while debugging); stderr passes through (jest reports there).
 * One capture per test file (module registry); installing twice returns the first.
 */
export function installCapture(passThrough = Boolean(process.env.LOG_TO_STDOUT)): LogCapture {
  const holder = globalThis as Holder;
  if (holder[KEY]) return holder[KEY];
  const lines: CapturedLine[] = [];
  const push = (source: CapturedLine['source'], text: string) => lines.push({ source, text });

  const previousSink = setLogSink((line) => {
    push('log', line);
    if (passThrough) previousSink(line);
  });
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originalConsole = methods.map((m) => [m, console[m]] as const);
  for (const [m, original] of originalConsole) {
    console[m] = (...args: unknown[]) => {
      push('console', args.map((a) => (typeof a === 'string' ? a : safeStringify(a))).join(' '));
      if (passThrough) original.apply(console, args);
    };
  }
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    push('stdout', String(chunk));
    return passThrough ? (stdoutWrite as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest) : true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    push('stderr', String(chunk));
    return (stderrWrite as (...a: unknown[]) => boolean).call(process.stderr, chunk, ...rest);
  }) as typeof process.stderr.write;

  const capture: LogCapture = {
    mark: () => lines.length,
    since: (mark) => lines.slice(mark),
    all: () => [...lines],
    forget: (mark) => {
      lines.length = Math.min(lines.length, mark);
    },
    uninstall: () => {
      setLogSink(previousSink);
      for (const [m, original] of originalConsole) console[m] = original;
      process.stdout.write = stdoutWrite;
      process.stderr.write = stderrWrite;
      delete holder[KEY];
    },
  };
  holder[KEY] = capture;
  return capture;
}

/**
 * Every (secret, line) pair where a known secret appears in a captured line, as is or in the form
 * JSON gives it inside a string (a secret holding `"` or `\` is escaped in a JSON log line).
 */
export function findLeaks(lines: readonly CapturedLine[], secrets: readonly string[]): { secret: string; source: string; line: string }[] {
  const leaks: { secret: string; source: string; line: string }[] = [];
  for (const line of lines) {
    for (const secret of secrets) {
      const forms = [secret, JSON.stringify(secret).slice(1, -1)];
      const found = forms.find((form) => line.text.includes(form));
      if (found !== undefined) leaks.push({ secret: found, source: line.source, line: line.text.slice(0, 300) });
    }
  }
  return leaks;
}

function safeStringify(value: unknown): string {
  try {
    return value instanceof Error ? `${value.name}: ${value.message}\n${value.stack ?? ''}` : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}
