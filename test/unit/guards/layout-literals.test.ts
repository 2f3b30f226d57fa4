import { type Found, literals, report, sourceFiles } from './sources';

/**
 * lib/layout.ts is the one home of the storage layout: S3 key shapes, DynamoDB item keys and
 * attribute names, URL shapes. No other source may spell a key shape out in a string, template or
 * regex; it must call layout's helpers or use its constants. (Comments may describe the shapes.)
 */
const HOME = 'lib/layout.ts';

/** Fragments that only a key shape contains. */
const KEY_SHAPES = ['latest.json', '/revisions/', 'REV#', 'ROLLBACK#', '#RECONCILE', 'mirror/datafiles'];
/** Literals that are a key as a whole (a substring would match words like "POINTERS"). */
const WHOLE_KEYS = ['POINTER'];

/**
 * Messages and help text that name the alias to a person ("latest.json is missing"), not a key.
 * Allowed in these files only, and only as the bare word: `/latest.json` (a path) still fails here.
 */
const ALIAS_NAMED_IN_PROSE = [
  'lib/aws/s3-store.ts', // storage error action: "update latest.json"
  'lib/cli/main.ts', // usage text of pin and verify
  'lib/cli/commands/verify.ts', // verify's findings
  'bench/report.ts', // the burst row's subject
  'test/support/invariants.ts', // the invariant violations
];

function offends(file: string, text: string): boolean {
  if (WHOLE_KEYS.includes(text)) return true;
  const prose = ALIAS_NAMED_IN_PROSE.includes(file);
  return KEY_SHAPES.some((shape) => {
    if (!text.includes(shape)) return false;
    if (shape !== 'latest.json' || !prose) return true;
    return /\/latest\.json/.test(text);
  });
}

describe('layout literals', () => {
  const files = sourceFiles().filter((f) => f !== HOME);
  const all = files.flatMap(literals);

  it('scans the sources (lib/, functions/, local/, bench/, test/support/)', () => {
    for (const dir of ['lib/', 'functions/', 'local/', 'bench/', 'test/support/']) {
      expect(files.some((f) => f.startsWith(dir))).toBe(true);
    }
  });

  it('finds no key shape spelled out outside lib/layout.ts', () => {
    const hits: Found<string>[] = all.filter((l) => offends(l.file, l.value));

    expect(report(hits, (v) => JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v))).toEqual([]);
  });

  it('keeps the prose allow-list to files that still name the alias', () => {
    const stale = ALIAS_NAMED_IN_PROSE.filter((file) => !all.some((l) => l.file === file && l.value.includes('latest.json')));

    expect(stale).toEqual([]);
  });

  it('would catch a key shape (self-check)', () => {
    expect(offends('lib/x.ts', 'datafiles/k/latest.json')).toBe(true);
    expect(offends('lib/cli/main.ts', 'datafiles/k/latest.json')).toBe(true);
    expect(offends('lib/cli/main.ts', 'latest.json is missing')).toBe(false);
    expect(offends('lib/x.ts', 'latest.json is missing')).toBe(true);
    expect(offends('lib/x.ts', 'POINTER')).toBe(true);
    expect(offends('lib/x.ts', 'REV#')).toBe(true);
    expect(offends('lib/x.ts', 'POINTERS')).toBe(false);
  });
});
