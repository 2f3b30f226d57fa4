import { byId, byKey, differs, keyed, list, type Model, type Obj, present, stable, str } from './read';
import type { Change } from './types';

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

export function audiences(a: Model, b: Model): Change[] {
  const [ma, mb] = [audienceMap(a.root), audienceMap(b.root)];
  const out: Change[] = [];
  const named = (o: Obj) => present('name', str(o.name));
  for (const [key, o] of mb) if (!ma.has(key)) out.push({ kind: 'audience_added', entity: 'audience', key, ...named(o) });
  for (const [key, o] of ma) if (!mb.has(key)) out.push({ kind: 'audience_removed', entity: 'audience', key, ...named(o) });
  for (const [key, x] of ma) {
    const y = mb.get(key);
    const [from, to] = [conditions(x), y ? conditions(y) : ''];
    if (y && from !== to) out.push({ kind: 'audience_changed', entity: 'audience', key, ...named(y), from, to });
  }
  return out;
}

/** Keys added to and removed from a list of `{key}` entries (attributes, events). */
export function* named(a: unknown, b: unknown): Generator<readonly ['added' | 'removed', string]> {
  const [ma, mb] = [keyed(list(a), byKey), keyed(list(b), byKey)];
  for (const key of mb.keys()) if (!ma.has(key)) yield ['added', key] as const;
  for (const key of ma.keys()) if (!mb.has(key)) yield ['removed', key] as const;
}

export function groups(a: Model, b: Model): Change[] {
  const [ga, gb] = [keyed(list(a.root.groups), byId), keyed(list(b.root.groups), byId)];
  const out: Change[] = [];
  for (const key of gb.keys()) if (!ga.has(key)) out.push({ kind: 'group_added', entity: 'group', key });
  for (const key of ga.keys()) if (!gb.has(key)) out.push({ kind: 'group_removed', entity: 'group', key });
  for (const [key, x] of ga) {
    const y = gb.get(key);
    for (const field of ['policy', 'trafficAllocation'] as const) {
      if (y && differs(x, y, field))
        out.push({ kind: 'group_changed', entity: 'group', key, field, from: stable(x[field]), to: stable(y[field]) });
    }
  }
  return out;
}
