import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * A unit test file is named after the module it tests, at the same path: test/unit/<path>.test.ts
 * tests lib/<path>.ts (or local/…, for test/unit/local/, and test/support/…, for test/unit/support/).
 * So a module's tests are found from its path, and a test named after a topic is caught.
 * The guards (this folder) test the code base as a whole and are the one exception.
 */
function moduleOf(test: string): string {
  const path = test.replace(/^test\/unit\//, '').replace(/\.test\.ts$/, '.ts');
  if (path.startsWith('local/')) return path;
  if (path.startsWith('support/')) return `test/${path}`;
  return `lib/${path}`;
}

describe('unit test names', () => {
  const tests = readdirSync(join(ROOT, 'test/unit'), { recursive: true, encoding: 'utf8' })
    .map((f) => `test/unit/${f.split('\\').join('/')}`)
    .filter((f) => f.endsWith('.test.ts') && !f.startsWith('test/unit/guards/'));

  it('finds the unit tests', () => {
    expect(tests).toContain('test/unit/layout.test.ts');
  });

  it('each name a module at the same path', () => {
    const orphans = tests.filter((t) => !existsSync(join(ROOT, moduleOf(t)))).map((t) => `${t} (no ${moduleOf(t)})`);

    expect(orphans).toEqual([]);
  });
});
