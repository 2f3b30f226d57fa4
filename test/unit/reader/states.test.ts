import { KeyStates } from '../../../lib/reader/states';

describe('KeyStates', () => {
  it('holds at most maxKeys states however many keys pass through', () => {
    const states = new KeyStates(1000, () => false);

    for (let i = 0; i < 20_000; i++) states.use(`unknown_${i}`);

    expect(states.size).toBe(1000);
  });

  it('returns the same state for a key still held, a new one for a dropped key', () => {
    const states = new KeyStates(2, () => false);
    const a = states.use('a');
    states.use('b');

    const aAgain = states.use('a');
    states.use('c');
    const aStill = states.use('a');
    const b = states.use('b');

    expect(aAgain).toBe(a);
    expect(aStill).toBe(a);
    expect(b.checkedAt).toBe(Number.NEGATIVE_INFINITY);
  });

  it('keeps the keys the predicate keeps, and shrinks back to maxKeys once they are released', () => {
    const kept = new Set(['x', 'y']);
    const states = new KeyStates(1, (key) => kept.has(key));
    const x = states.use('x');
    states.use('y');
    states.use('z');
    const whileKept = states.size;

    kept.clear();
    states.use('w');

    expect(whileKept).toBe(3);
    expect(states.size).toBe(1);
    expect(states.use('x')).not.toBe(x);
  });
});
