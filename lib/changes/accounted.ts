import { type Obj, rec, same } from './read';

/**
 * The raw objects of both datafiles the diff has accounted for, so that whatever it has not is still
 * reported, however much else changed. An object is accounted for when it was paired with its
 * counterpart on the other side (every difference between the two is then reported: by a typed
 * change, or as an `other` field of the entity), or reported whole (added, removed). What is left
 * in a list — entries with no key or a duplicate one, entries the datafile refers to from nowhere,
 * and the order of the paired ones — is compared as it is by {@link Accounted.rest}.
 */
export class Accounted {
  // Per side: object → the number of its pair, or 0 when it was reported whole.
  private readonly marks = [new Map<object, number>(), new Map<object, number>()] as const;
  private pairs = 0;

  /** `a` (previous side) and `b` (next side) are one entity, compared field by field. */
  pair(a: Obj, b: Obj): void {
    const n = ++this.pairs;
    // An object paired twice (an experiment two flags share) keeps its first partner: were the two
    // sides to disagree on it, their numbers differ and the list that holds it reads as changed.
    if (!this.marks[0].get(a)) this.marks[0].set(a, n);
    if (!this.marks[1].get(b)) this.marks[1].set(b, n);
  }

  /** `o` was reported added (`side` 1) or removed (`side` 0), all of it. */
  whole(side: 0 | 1, o: Obj | undefined): void {
    if (o && !this.marks[side].has(o)) this.marks[side].set(o, 0);
  }

  /**
   * Whether two values of a list field differ in anything not accounted for. `ordered` = false when
   * a typed change already reports the order of the paired entries (a flag's rules).
   */
  rest(a: unknown, b: unknown, ordered = true): boolean {
    if (!Array.isArray(a) || !Array.isArray(b)) {
      // A list that appears or disappears is explained by its entries' own records; an empty one is not.
      const [list, other] = Array.isArray(a) ? [a, b] : [b, a];
      if (!Array.isArray(list) || other !== undefined) return !same(a, b);
      return list.length === 0 || this.left(list, list === a ? 0 : 1, ordered).length > 0;
    }
    const [left, right] = [this.left(a, 0, ordered), this.left(b, 1, ordered)];
    if (left.length !== right.length) return true;
    return left.some((x, i) => {
      const y = right[i];
      return typeof x === 'number' || typeof y === 'number' ? x !== y : !same(x?.raw, y?.raw);
    });
  }

  /** The entries not accounted for, each as `{ raw }`, and the pair number of each paired one when `ordered`. */
  private left(entries: unknown[], side: 0 | 1, ordered: boolean): ({ raw: unknown } | number)[] {
    return entries.flatMap<{ raw: unknown } | number>((raw) => {
      const o = rec(raw);
      const mark = o && this.marks[side].get(o);
      if (mark === undefined) return [{ raw }];
      return ordered && mark > 0 ? [mark] : [];
    });
  }
}

/** The fields of `a` and `b` that differ, but those in `skip`, in first-seen order. */
export function otherFields(a: Obj, b: Obj, skip: ReadonlySet<string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((f) => !skip.has(f) && !same(a[f], b[f]));
}
