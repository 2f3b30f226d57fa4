import fc from 'fast-check';
import { same, stable } from '../../../lib/changes/read';

describe('same', () => {
  it('agrees with comparing canonical JSON for any two JSON values (and a value with itself, reordered)', () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(json, json, (x, y) => {
        expect(same(x, y)).toBe(stable(x) === stable(y));
        const copy = JSON.parse(JSON.stringify(x)) as unknown;
        expect(same(x, copy)).toBe(true);
      }),
      { numRuns: 2000, seed: 20261127 },
    );
  });

  it('ignores key order but not keys, lengths or types', () => {
    expect(same({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(same({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(same([1, 2], [1, 2, 3])).toBe(false);
    expect(same({ 0: 'x' }, ['x'])).toBe(false);
    expect(same('1', 1)).toBe(false);
    expect(same(JSON.parse('{"__proto__":1}'), {})).toBe(false);
  });
});
