import fc from 'fast-check';
import { same, stable } from '../../../lib/changes/read';

/** `value` under `depth` levels of arrays and one-key objects, alternating (built in a loop: no recursion). */
function nest(value: unknown, depth: number, key: string): unknown {
  let out = value;
  for (let i = 0; i < depth; i++) out = i % 2 === 0 ? [out] : { [key]: out };
  return out;
}

describe('same', () => {
  it('agrees with comparing canonical JSON for any two JSON values (and a value with itself, reordered)', () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    // One pair in 100 sits under the same wrapper, up to 6,000 levels: more than recursion managed.
    const wrapper = fc.oneof(
      { arbitrary: fc.constant(null), weight: 99 },
      { arbitrary: fc.record({ depth: fc.integer({ min: 1, max: 6_000 }), key: fc.string({ maxLength: 2 }) }), weight: 1 },
    );
    fc.assert(
      fc.property(json, json, wrapper, (inner, other, wrap) => {
        const deep = (v: unknown) => (wrap === null ? v : nest(v, wrap.depth, wrap.key));
        const [x, y] = [deep(inner), deep(other)];
        expect(same(x, y)).toBe(stable(x) === stable(y));
        const copy = deep(JSON.parse(JSON.stringify(inner)));
        expect(same(x, copy)).toBe(true);
      }),
      { numRuns: 2000, seed: 20261127 },
    );
  });

  it('compares and writes values nested 40,000 levels deep, which JSON.parse accepts', () => {
    const depth = 20_000;
    const text = `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`;
    const [x, y] = [JSON.parse(text), JSON.parse(text)];
    const other = JSON.parse(text.replace('1', '2'));

    expect(stable(x)).toBe(text);
    expect(same(x, y)).toBe(true);
    expect(same(x, other)).toBe(false);
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
