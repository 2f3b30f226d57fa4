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

/** Canonical JSON (object keys sorted) so that key order never reads as a change. */
export function stable(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(stable).join(',')}]`;
  const o = rec(x);
  if (o) {
    const keys = Object.keys(o).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stable(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(x) ?? 'null';
}

/**
 * Whether two values are equal as canonical JSON (`stable(x) === stable(y)`), without building the
 * strings: a 20 MiB datafile's unchanged sections are compared in place instead of serialised twice.
 */
export function same(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (Array.isArray(x) || Array.isArray(y)) {
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
    return x.every((v, i) => same(v, y[i]));
  }
  const a = rec(x);
  const b = rec(y);
  if (a || b) {
    if (!a || !b) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
  }
  return stable(x) === stable(y);
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
}

export interface Model {
  root: Obj;
  flags: Map<string, Flag>;
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
    const fromRollout = list(rolloutId === undefined ? undefined : rollouts.get(rolloutId)?.experiments);
    const rules = [...keyed([...fromExperiments, ...fromRollout], byKey)].map(([k, r]) => ({ key: k, raw: r }));
    flags.set(key, { key, raw, rules });
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
  return { root, flags, standalone, holdouts: keyed(list(root.holdouts), byKey), variableNames };
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
