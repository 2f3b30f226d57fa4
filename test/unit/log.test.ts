import { createLogger, registerSecret, setLogSink } from '../../lib/log';

/** Log through a fresh logger and return the lines written, restoring the suite's sink after. */
function linesOf(act: (log: ReturnType<typeof createLogger>) => void): string[] {
  const lines: string[] = [];
  const previous = setLogSink((line) => lines.push(line));
  try {
    act(createLogger({ service: 'test' }, 'debug'));
  } finally {
    setLogSink(previous);
  }
  return lines;
}

/** Every way a secret could show up in a JSON line: raw, escaped once, escaped twice. */
const forms = (secret: string) => [secret, JSON.stringify(secret).slice(1, -1), JSON.stringify(JSON.stringify(secret)).slice(1, -1)];
const leaked = (lines: string[], secret: string) => lines.some((line) => forms(secret).some((f) => line.includes(f)));

describe('createLogger › redaction', () => {
  const QUOTE = 'quote"secret-1111';
  const BACKSLASH = 'back\\slash-secret-2222';
  const BOTH = 'both\\"\n-secret-3333';
  registerSecret(QUOTE);
  registerSecret(BACKSLASH);
  registerSecret(BOTH);

  it.each([
    ['a quote', QUOTE],
    ['a backslash', BACKSLASH],
    ['a backslash, a quote and a newline', BOTH],
  ])('redacts a secret containing %s in a field, the message, a nested object and an Error', (_name, secret) => {
    // Act
    const lines = linesOf((log) => {
      log.info(`message with ${secret} inside`, { value: `pre ${secret} post` });
      log.warn('nested', { outer: { list: ['x', { deep: secret }] } });
      log.error('error', { error: new Error(`failed with ${secret}`, { cause: new Error(secret) }) });
    });

    // Assert
    expect(lines).toHaveLength(3);
    expect(lines.filter((line) => leaked([line], secret))).toEqual([]);
    const [first, second, third] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first).toMatchObject({ message: 'message with [REDACTED] inside', value: 'pre [REDACTED] post', service: 'test' });
    expect(second).toMatchObject({ outer: { list: ['x', { deep: '[REDACTED]' }] } });
    expect(third).toMatchObject({
      error: { name: 'Error', message: 'failed with [REDACTED]', cause: { name: 'Error', message: '[REDACTED]' } },
    });
  });

  it('redacts a secret already JSON-escaped inside a logged string (a serialised body)', () => {
    const lines = linesOf((log) => log.info('body', { raw: JSON.stringify({ token: QUOTE }) }));

    expect(leaked(lines, QUOTE)).toBe(false);
    expect(JSON.parse(lines[0] ?? '{}').raw).toBe('{"token":"[REDACTED]"}');
  });

  it('redacts a secret used as a key', () => {
    const lines = linesOf((log) => log.info('keys', { map: { [BACKSLASH]: 1 } }));

    expect(leaked(lines, BACKSLASH)).toBe(false);
    expect(JSON.parse(lines[0] ?? '{}').map).toEqual({ '[REDACTED]': 1 });
  });

  it('redacts the whole of a secret that contains a shorter one', () => {
    registerSecret('short-5555');
    registerSecret('short-5555-and-longer-6666');

    const lines = linesOf((log) => log.info('overlap', { value: 'short-5555-and-longer-6666' }));

    expect(JSON.parse(lines[0] ?? '{}').value).toBe('[REDACTED]');
  });

  it('writes a line for a cyclic field instead of throwing', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;

    const lines = linesOf((log) => log.info('cycle', { cyclic }));

    expect(JSON.parse(lines[0] ?? '{}').cyclic).toEqual({ name: 'loop', self: '[Circular]' });
  });
});

describe('createLogger › levels', () => {
  it('falls back to info for a level that is not one, even one named like an Object member', () => {
    const lines: string[] = [];
    const previous = setLogSink((line) => lines.push(line));
    try {
      const log = createLogger({}, 'constructor' as never);
      log.debug('hidden');
      log.info('shown');
    } finally {
      setLogSink(previous);
    }
    expect(lines.map((line) => JSON.parse(line).message)).toEqual(['shown']);
  });
});
