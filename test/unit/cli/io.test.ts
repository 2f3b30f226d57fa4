import { age, table } from '../../../lib/cli/io';

describe('CLI output helpers', () => {
  it('pads table columns to the widest cell', () => {
    expect(
      table(
        ['KEY', 'REV'],
        [
          ['a', '10'],
          ['long_key', '2'],
        ],
      ),
    ).toEqual(['KEY       REV', 'a         10', 'long_key  2']);
  });

  it('says how long ago in the largest useful units', () => {
    const now = new Date('2026-01-10T12:00:00Z');

    expect(
      ['2026-01-10T11:59:20Z', '2026-01-10T11:48:00Z', '2026-01-10T09:30:00Z', '2026-01-07T08:00:00Z'].map((t) => age(t, now)),
    ).toEqual(['40s', '12m', '2h 30m', '3d 4h']);
  });
});
