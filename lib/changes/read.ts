/**
 * Reads a parsed datafile of any shape into the few structures the diff compares. Everything here
 * accepts `unknown`: a wrong type, a null or a missing array reads as "nothing there", never a throw,
 * because a diff is advice about a datafile that may be exactly the broken one we want to report.
 */

export type Obj = Record<string, unknown>;

export function rec(x: unknown): Obj | undefined {
  return x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Obj) : undefined;
}

export function list(x: unknown): Obj[] {
  return Array.isArray(x) ? x.flatMap<Obj>((e) => rec(e) ?? []) : [];
}

export function str(x: unknown): string | undefined {
  if (typeof x === 'string') return x;
  return typeof x === 'number' && Number.isFinite(x) ? String(x) : undefined;
}

/** `{ [name]: value }`, or nothing when the value is absent (records never hold `undefined`). */
export function present<K extends string>(name: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [name]: value }) as { [P in K]?: string };
}

/**
 * Canonical JSON (object keys sorted) so that key order never reads as a change. Iterative, like
 * {@link same}: JSON.parse accepts any depth, and a datafile nested deeper than the call stack can
 * hold must still be diffed, or the guardrails that need the diff cannot judge it.
 */
export function stable(x: unknown): string {
  // Written token by token, in order, so each character is copied a fixed number of times however
  // deep the value (joining each container's text into its parent's copies it once per level).
  // Tokens are joined into chunks as they come: millions of them kept to the end burden the GC.
  const chunks: string[] = [];
  const tokens: string[] = [];
  const write = (token: string) => {
    if (tokens.push(token) === 4096) {
      chunks.push(tokens.join(''));
      tokens.length = 0;
    }
  };
  // Containers being written, innermost last; `keys` (sorted) for an object, `next` = next value.
  const open: { array?: unknown[]; object?: Obj; keys?: string[]; next: number }[] = [];
  let value = x;
  for (;;) {
    if (Array.isArray(value)) {
      write('[');
      open.push({ array: value, next: 0 });
    } else if (value !== null && typeof value === 'object') {
      write('{');
      open.push({ object: value as Obj, keys: Object.keys(value).sort(), next: 0 });
    } else {
      write(scalar(value));
    }
    let top = open[open.length - 1];
    while (top && top.next === (top.keys ?? top.array ?? []).length) {
      write(top.keys ? '}' : ']');
      open.pop();
      top = open[open.length - 1];
    }
    if (!top) break;
    if (top.next > 0) write(',');
    const key = top.keys?.[top.next];
    if (key !== undefined) {
      write(JSON.stringify(key));
      write(':');
    }
    value = key === undefined ? top.array?.[top.next] : top.object?.[key];
    top.next++;
  }
  chunks.push(tokens.join(''));
  return chunks.join('');
}

/** Canonical JSON of anything but an array or an object. */
function scalar(x: unknown): string {
  return JSON.stringify(x) ?? 'null';
}

/**
 * Whether two values are equal as canonical JSON (`stable(x) === stable(y)`), without building the
 * strings: a 20 MiB datafile's unchanged sections are compared in place instead of serialised twice.
 * Pairs still to compare wait on an explicit stack, so nesting depth is bounded by memory, not the
 * call stack.
 */
export function same(x: unknown, y: unknown): boolean {
  const pending: unknown[] = [];
  // Leaves are settled at once; only pairs of containers wait on the stack.
  const pair = (a: unknown, b: unknown): boolean => {
    if (a === b) return true;
    const objectA = a !== null && typeof a === 'object';
    const objectB = b !== null && typeof b === 'object';
    if (objectA && objectB) pending.push(a, b);
    return objectA || objectB ? objectA && objectB : scalar(a) === scalar(b);
  };
  if (!pair(x, y)) return false;
  while (pending.length > 0) {
    const b = pending.pop() as object;
    const a = pending.pop() as object;
    if (Array.isArray(a) || Array.isArray(b)) {
      if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) if (!pair(a[i], b[i])) return false;
      continue;
    }
    const [oa, ob] = [a as Obj, b as Obj];
    const keys = Object.keys(oa);
    if (keys.length !== Object.keys(ob).length) return false;
    for (const k of keys) if (!Object.hasOwn(ob, k) || !pair(oa[k], ob[k])) return false;
  }
  return true;
}

/** Whether a field differs between two objects, ignoring key order. */
export function differs(a: Obj, b: Obj, key: string): boolean {
  return !same(a[key], b[key]);
}

/** Entries by key (first one wins), in their original order. */
export function keyed(entries: Obj[], keyOf: (o: Obj) => string | undefined): Map<string, Obj> {
  const out = new Map<string, Obj>();
  for (const e of entries) {
    const k = keyOf(e);
    if (k !== undefined && !out.has(k)) out.set(k, e);
  }
  return out;
}

export const byKey = (o: Obj) => str(o.key) ?? str(o.id);
export const byId = (o: Obj) => str(o.id);

/** One of a flag's rules: its key (or id when it has none) and the raw entry. */
export interface Rule {
  key: string;
  raw: Obj;
}

export interface Flag {
  key: string;
  raw: Obj;
  /** Experiments (in `experimentIds` order), then the rollout's rules, as the SDK evaluates them. */
  rules: Rule[];
  /** The rollout `rolloutId` names, when there is one. */
  rollout?: Obj;
}

export interface Model {
  root: Obj;
  flags: Map<string, Flag>;
  /** Every experiment, top-level or in a group, by id (first one wins). */
  experiments: Map<string, Obj>;
  /** Experiments no flag refers to (every experiment of a v2/v3 datafile), by key. */
  standalone: Map<string, Obj>;
  holdouts: Map<string, Obj>;
  /** Variable id → key, from every flag's variable definitions (variations only carry ids). */
  variableNames: Map<string, string>;
}

export function readModel(datafile: unknown): Model {
  const root = rec(datafile) ?? {};
  const experiments = [...list(root.experiments), ...list(root.groups).flatMap((g) => list(g.experiments))];
  const experimentsById = keyed(experiments, byId);
  const rollouts = keyed(list(root.rollouts), byId);
  const attached = new Set<string>();
  const variableNames = new Map<string, string>();
  const flags = new Map<string, Flag>();
  for (const raw of list(root.featureFlags)) {
    const key = str(raw.key);
    if (key === undefined || flags.has(key)) continue;
    const ids = Array.isArray(raw.experimentIds) ? raw.experimentIds.flatMap<string>((id) => str(id) ?? []) : [];
    for (const id of ids) attached.add(id);
    const fromExperiments = ids.flatMap<Obj>((id) => experimentsById.get(id) ?? []);
    const rolloutId = str(raw.rolloutId);
    const rollout = rolloutId === undefined ? undefined : rollouts.get(rolloutId);
    const rules = [...keyed([...fromExperiments, ...list(rollout?.experiments)], byKey)].map(([k, r]) => ({ key: k, raw: r }));
    flags.set(key, { key, raw, rules, ...(rollout ? { rollout } : {}) });
    for (const v of list(raw.variables)) {
      const id = str(v.id);
      const name = str(v.key);
      if (id !== undefined && name !== undefined) variableNames.set(id, name);
    }
  }
  const standalone = keyed(
    experiments.filter((e) => !attached.has(str(e.id) ?? '')),
    byKey,
  );
  return { root, flags, experiments: experimentsById, standalone, holdouts: keyed(list(root.holdouts), byKey), variableNames };
}

/** Keys a client can decide on: flag keys plus standalone experiment keys (all of them in v2/v3). */
export function decisionKeys(datafile: unknown): string[] {
  const m = readModel(datafile);
  return [...m.flags.keys(), ...m.standalone.keys()];
}

/**
 * Traffic allocated per variation id, in hundredths of a percent. `endOfRange` is cumulative out of
 * 10000; a range with an empty `entityId` is a hole (users fall through to the next rule).
 */
export function allocation(rule: Obj): Map<string, number> {
  const out = new Map<string, number>();
  let start = 0;
  for (const range of list(rule.trafficAllocation)) {
    const end = range.endOfRange;
    if (typeof end !== 'number' || !Number.isFinite(end)) continue;
    const clamped = Math.min(10_000, Math.max(start, end));
    const id = str(range.entityId);
    if (id) out.set(id, (out.get(id) ?? 0) + clamped - start);
    start = clamped;
  }
  return out;
}

/** Share of users the rule assigns to any variation, in percent (two decimals). */
export function trafficPercent(rule: Obj): number {
  let total = 0;
  for (const width of allocation(rule).values()) total += width;
  return Math.round(total) / 100;
}
