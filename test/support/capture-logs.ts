import { findLeaks, installCapture } from './log-capture';
import { KNOWN_SECRETS } from './secrets';

// Runs before every test file (jest `setupFilesAfterEnv`): capture every line the code writes, and
// fail the file if any known secret or access token appears in one.
const capture = installCapture();

afterAll(() => {
  const leaks = findLeaks(capture.all(), KNOWN_SECRETS);
  capture.uninstall();
  if (leaks.length > 0) {
    const shown = leaks.slice(0, 5).map((l) => `  [${l.source}] ${l.line.split(l.secret).join('<SECRET>')}`);
    throw new Error(`${leaks.length} captured log line(s) contain a secret or access token:\n${shown.join('\n')}`);
  }
});
