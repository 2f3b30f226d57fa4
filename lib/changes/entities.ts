import { type Accounted, otherFields } from './accounted';
import { byId, byKey, differs, keyed, list, type Model, type Obj, present, stable, str } from './read';
import type { Change, OtherOf } from './types';

// Project-level entities outside flags: audiences, attributes, events, groups.

/** `typedAudiences` replace `audiences` of the same id, as in the SDK. */
function audienceMap(root: Obj): Map<string, Obj> {
  const out = keyed(list(root.audiences), byId);
  for (const [id, typed] of keyed(list(root.typedAudiences), byId)) out.set(id, typed);
  return out;
}

/** Conditions as canonical JSON, whether stored as an array or as a string holding one. */
function conditions(audience: Obj): string {
  const c = audience.conditions;
  if (typeof c !== 'string') return stable(c);
  try {
    return stable(JSON.parse(c));
  } catch {
    return stable(c);
  }
}

export function audiences(a: Model, b: Model, accounted: Accounted): Change[] {
  const [ma, mb] = [audienceMap(a.root), audienceMap(b.root)];
  const out: Change[] = [];
  const named = (o: Obj) => present('name', str(o.name));
  for (const [key, o] of mb) if (!ma.has(key)) out.push({ kind: 'audience_added', entity: 'audience', key, ...named(o) });
  for (const [key, o] of ma) if (!mb.has(key)) out.push({ kind: 'audience_removed', entity: 'audience', key, ...named(o) });
  const changed = new Set<string>();
  for (const [key, x] of ma) {
    const y = mb.get(key);
    const [from, to] = [conditions(x), y ? conditions(y) : ''];
    if (y && from !== to) {
      out.push({ kind: 'audience_changed', entity: 'audience', key, ...named(y), from, to });
      changed.add(key);
    }
  }
  // Other fields (a name, say) entry by entry in each list, `typedAudiences` winning or not: an
  // entry only one list has for an audience both sides have is left to its list's `other`.
  const fields = new Map<string, Set<string>>();
  for (const section of ['audiences', 'typedAudiences']) {
    const [la, lb] = [keyed(list(a.root[section]), byId), keyed(list(b.root[section]), byId)];
    for (const [side, mine, theirs, model] of [
      [0, la, lb, mb],
      [1, lb, la, ma],
    ] as const) {
      for (const [id, o] of mine) if (!theirs.has(id) && !model.has(id)) accounted.whole(side, o);
    }
    for (const [id, x] of la) {
      const y = lb.get(id);
      if (!y) continue;
      accounted.pair(x, y);
      const other = otherFields(x, y, new Set(['id', ...(changed.has(id) ? ['conditions'] : [])]));
      if (other.length > 0) fields.set(id, new Set([...(fields.get(id) ?? []), ...other]));
    }
  }
  for (const [id, names] of fields) out.push(otherOf('audience', id, [...names]));
  return out;
}

/** Entries of a `{key}` list (attributes, events): added, removed, and other fields changed (an id). */
export function listed(entity: 'attribute' | 'event', a: unknown, b: unknown, accounted: Accounted): Change[] {
  const [ma, mb] = [keyed(list(a), byKey), keyed(list(b), byKey)];
  const record = (sign: 'added' | 'removed', key: string): Change =>
    entity === 'attribute' ? { kind: `attribute_${sign}`, entity, key } : { kind: `event_${sign}`, entity, key };
  const out: Change[] = [];
  for (const [key, o] of mb) {
    if (ma.has(key)) continue;
    out.push(record('added', key));
    accounted.whole(1, o);
  }
  for (const [key, o] of ma) {
    if (mb.has(key)) continue;
    out.push(record('removed', key));
    accounted.whole(0, o);
  }
  for (const [key, x] of ma) {
    const y = mb.get(key);
    if (!y) continue;
    accounted.pair(x, y);
    const fields = otherFields(x, y, KEY);
    if (fields.length > 0) out.push(otherOf(entity, key, fields));
  }
  return out;
}

const KEY = new Set(['key']);
const GROUP_SHOWN = new Set(['id', 'policy', 'trafficAllocation', 'experiments']);

/** Call after the experiments are paired (as rules): a group's list of them is judged by what is left. */
export function groups(a: Model, b: Model, accounted: Accounted): Change[] {
  const [ga, gb] = [keyed(list(a.root.groups), byId), keyed(list(b.root.groups), byId)];
  const out: Change[] = [];
  for (const [key, o] of gb) {
    if (ga.has(key)) continue;
    out.push({ kind: 'group_added', entity: 'group', key });
    accounted.whole(1, o);
  }
  for (const [key, o] of ga) {
    if (gb.has(key)) continue;
    out.push({ kind: 'group_removed', entity: 'group', key });
    accounted.whole(0, o);
  }
  for (const [key, x] of ga) {
    const y = gb.get(key);
    if (!y) continue;
    accounted.pair(x, y);
    for (const field of ['policy', 'trafficAllocation'] as const) {
      if (differs(x, y, field))
        out.push({ kind: 'group_changed', entity: 'group', key, field, from: stable(x[field]), to: stable(y[field]) });
    }
    const fields = otherFields(x, y, GROUP_SHOWN);
    if (accounted.rest(x.experiments, y.experiments)) fields.push('experiments');
    if (fields.length > 0) out.push(otherOf('group', key, fields));
  }
  return out;
}

/** An `other` change naming fields of one entity. */
export function otherOf(of: OtherOf, key: string, fields: string[]): Change {
  const path = `${of} ${key}`;
  return { kind: 'other', entity: 'other', of, key: path, path, fields };
}
