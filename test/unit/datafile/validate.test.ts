import { validateDatafile } from '../../../lib/datafile/validate';
import { makeDatafile, PROJECT_ID } from '../../support/datafiles';

const bytes = (doc: unknown) => Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc));
const base = () => JSON.parse(makeDatafile({ revision: 12 })) as Record<string, unknown>;
const code = (fn: () => unknown) => {
  try {
    fn();
    return 'accepted';
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

describe('validateDatafile', () => {
  it('accepts a 12-digit revision, the most history can order', () => {
    expect(validateDatafile(bytes({ ...base(), revision: '999999999999' }), PROJECT_ID).revision).toBe(999_999_999_999);
  });

  it.each(['2', '3', '4'])('accepts version %s and returns project and numeric revision', (version) => {
    expect(validateDatafile(bytes({ ...base(), version }), PROJECT_ID)).toMatchObject({ version, projectId: PROJECT_ID, revision: 12 });
  });

  it('returns the decoded text and the parsed datafile, so the bytes need not be parsed again', () => {
    const datafile = { ...base(), featureFlags: [{ key: 'f', id: '1' }] };
    const valid = validateDatafile(bytes(datafile), PROJECT_ID);
    expect(valid.document).toEqual(datafile);
    expect(valid.text).toBe(JSON.stringify(datafile));
  });

  it.each([['1'], ['5'], [4], [null], [undefined], ['4 ']])('refuses version %p with invalid_datafile', (version) => {
    expect(code(() => validateDatafile(bytes({ ...base(), version }), PROJECT_ID))).toBe('invalid_datafile');
  });

  it('refuses another project, or a numeric projectId', () => {
    expect(code(() => validateDatafile(bytes({ ...base(), projectId: '42' }), PROJECT_ID))).toBe('invalid_datafile');
    expect(code(() => validateDatafile(bytes({ ...base(), projectId: Number(PROJECT_ID) }), PROJECT_ID))).toBe('invalid_datafile');
  });

  it.each([[12], ['0'], ['-1'], ['01'], ['1.5'], ['1e3'], [''], ['1234567890123456'], ['1000000000000'], [null]])(
    'refuses revision %p (a decimal string is required)',
    (revision) => {
      expect(code(() => validateDatafile(bytes({ ...base(), revision }), PROJECT_ID))).toBe('invalid_datafile');
    },
  );

  it.each([
    ['not JSON', '{"version":'],
    ['an array', '[]'],
    ['null', 'null'],
    ['a string', '"x"'],
  ])('refuses %s', (_name, text) => {
    expect(code(() => validateDatafile(bytes(text), PROJECT_ID))).toBe('invalid_datafile');
  });

  it('never echoes the content in its message', () => {
    const marker = 'do_not_echo_this_marker';
    try {
      validateDatafile(bytes({ ...base(), version: marker, revision: marker }), PROJECT_ID);
      throw new Error('accepted');
    } catch (e) {
      expect((e as Error).message).not.toContain(marker);
    }
  });
});
