import { createLogger, registerSecret } from '../../../lib/log';
import { findLeaks, installCapture } from '../../support/log-capture';
import { KNOWN_SECRETS } from '../../support/secrets';
import { SECRET } from '../../support/webhooks';

// The suite-wide secret check (test/support/capture-logs.ts) is only worth something if it can fail.
describe('the log capture', () => {
  const capture = installCapture();

  it('flags a secret written through every non-redacting path', () => {
    // Arrange
    const mark = capture.mark();

    // Act: leak on purpose through the log sink (unregistered value), console and raw stdout/stderr.
    createLogger().info('leak', { secret: SECRET });
    console.warn('leaking token', 'token-zyxwvutsrq');
    process.stdout.write(`raw rotation-new-secret-222\n`);
    process.stderr.write('');
    const leaks = findLeaks(capture.since(mark), KNOWN_SECRETS);
    capture.forget(mark);

    // Assert
    expect(leaks.map((l) => [l.source, l.secret])).toEqual([
      ['log', SECRET],
      ['console', 'token-zyxwvutsrq'],
      ['stdout', 'rotation-new-secret-222'],
    ]);
  });

  it('flags a secret holding a quote or a backslash, which a JSON line carries escaped', () => {
    // Arrange: not registered with the logger, so nothing redacts them.
    const mark = capture.mark();
    const quoted = 'leak"quote-7777';
    const slashed = 'leak\\slash-8888';

    // Act
    createLogger().info('leak', { a: quoted, b: { c: slashed } });
    const leaks = findLeaks(capture.since(mark), [quoted, slashed]);
    capture.forget(mark);

    // Assert
    expect(leaks.map((l) => l.source)).toEqual(['log', 'log']);
  });

  it('sees a registered secret redacted by the logger, so it is no leak', () => {
    // Arrange
    const mark = capture.mark();
    registerSecret('reconcile-test-secret');

    // Act
    createLogger().error('config', { value: 'prefix reconcile-test-secret suffix' });
    const lines = capture.since(mark);

    // Assert
    expect(lines).toHaveLength(1);
    expect(lines[0]?.text).toContain('prefix [REDACTED] suffix');
    expect(findLeaks(lines, KNOWN_SECRETS)).toEqual([]);
  });
});
