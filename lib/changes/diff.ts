import { Accounted, otherFields } from './accounted';
import { audiences, groups, listed } from './entities';
import {
  byKey,
  differs,
  type Flag,
  keyed,
  list,
  type Model,
  type Obj,
  present,
  readModel,
  rec,
  same,
  stable,
  str,
  trafficPercent,
} from './read';
import { diffRule, inFlag } from './rules';
import type { Change, DatafileDiff } from './types';

/** Project-level fields reported as `setting_changed` (`revision` is left out: it always changes). */
const SETTINGS = [
  'version',
  'projectId',
  'accountId',
  'environmentKey',
  'sdkKey',
  'botFiltering',
  'anonymizeIP',
  'sendFlagDecisions',
  'region',
  'integrations',
];
const SECTIONS = [
  ['featureFlags', 'experiments', 'rollouts', 'groups', 'holdouts'],
  ['audiences', 'typedAudiences'],
  ['attributes'],
  ['events'],
];
const KNOWN = new Set(['revision', ...SETTINGS, ...SECTIONS.flat()]);
/** Flag fields reported by other means: its identity, its variables, and `experimentIds` (as its rules). */
const FLAG_SHOWN = new Set(['key', 'variables', 'experimentIds']);
/** Rollout fields reported by other means: its id (as the flag's `rolloutId`) and its rules. */
const ROLLOUT_SHOWN = new Set(['id', 'experiments']);

/** Longest JSON text an `other` or `setting_changed` record carries (the summary cuts further). */
const MAX_TEXT = 1000;

/**
 * Compares two parsed datafiles (v2, v3 or v4) in the datafile's own terms: flags and their rules,
 * standalone experiments, holdouts, audiences, attributes, events, groups, project settings, and
 * (as `other`) anything else that changed. Never throws, whatever the inputs hold.
 *
 * `previous` undefined means `next` is the first revision: the diff is `initial` and lists every
 * flag, experiment, holdout, audience, attribute, event and group as added (not their rules or
 * settings: there is nothing to compare them with).
 *
 * @example
 * const diff = diffDatafiles(JSON.parse(storedText), JSON.parse(fetchedText));
 * for (const line of formatDiff(diff)) console.log(line);
 */
export function diffDatafiles(previous: unknown | undefined, next: unknown): DatafileDiff {
  const revisions = { ...present('previous', str(rec(previous)?.revision)), ...present('next', str(rec(next)?.revision)) };
  const b = readModel(next);
  if (previous === undefined) {
    const changes = compare(readModel(undefined), b).filter((c) => c.kind.endsWith('_added'));
    return { initial: true, revisions, changes };
  }
  return { initial: false, revisions, changes: compare(readModel(previous), b) };
}

function compare(a: Model, b: Model): Change[] {
  const names = new Map([...a.variableNames, ...b.variableNames]);
  const accounted = new Accounted();
  // Groups come after flags and standalone experiments: the experiments they list are paired as rules.
  const found = [
    [
      ...flags(a, b, names, accounted),
      ...ruleSet('experiment', a.standalone, b.standalone, names, accounted),
      ...ruleSet('holdout', a.holdouts, b.holdouts, names, accounted),
      ...groups(a, b, accounted),
    ],
    audiences(a, b, accounted),
    listed('attribute', a.root.attributes, b.root.attributes, accounted),
    listed('event', a.root.events, b.root.events, accounted),
  ];
  const changes: Change[] = [];
  SECTIONS.forEach((keys, i) => {
    changes.push(...(found[i] ?? []));
    // What no entity accounts for (order, entries with no key or a repeated one, rollouts no flag
    // uses) still shows, however much else the section explains: a change is never lost.
    changes.push(...keys.filter((k) => accounted.rest(a.root[k], b.root[k])).map((k) => other(k)));
  });
  for (const key of SETTINGS) {
    if (differs(a.root, b.root, key))
      changes.push({ kind: 'setting_changed', entity: 'setting', key, ...values(a.root[key], b.root[key]) });
  }
  const unknown = new Set([...Object.keys(a.root), ...Object.keys(b.root)].filter((k) => !KNOWN.has(k)));
  for (const key of unknown) if (differs(a.root, b.root, key)) changes.push(other(key, values(a.root[key], b.root[key])));
  return changes;
}

function flags(a: Model, b: Model, variableNames: ReadonlyMap<string, string>, accounted: Accounted): Change[] {
  const out: Change[] = [];
  // An added or removed flag is reported whole: its rules and rollout with it.
  const whole = (side: 0 | 1, f: Flag) => {
    for (const o of [f.raw, f.rollout, ...f.rules.map((r) => r.raw)]) accounted.whole(side, o);
  };
  for (const [key, f] of b.flags) {
    if (a.flags.has(key)) continue;
    out.push({ kind: 'flag_added', entity: 'flag', key });
    whole(1, f);
  }
  for (const [key, f] of a.flags) {
    if (b.flags.has(key)) continue;
    out.push({ kind: 'flag_removed', entity: 'flag', key });
    whole(0, f);
  }
  for (const [flag, fa] of a.flags) {
    const fb = b.flags.get(flag);
    if (!fb) continue;
    accounted.pair(fa.raw, fb.raw);
    const [ra, rb] = [new Map(fa.rules.map((r) => [r.key, r.raw])), new Map(fb.rules.map((r) => [r.key, r.raw]))];
    for (const [key, raw] of rb) {
      if (ra.has(key)) continue;
      out.push({ kind: 'rule_added', entity: 'rule', flag, key, traffic: trafficPercent(raw) });
      accounted.whole(1, raw);
    }
    for (const [key, raw] of ra) {
      if (rb.has(key)) continue;
      out.push({ kind: 'rule_removed', entity: 'rule', flag, key, traffic: trafficPercent(raw) });
      accounted.whole(0, raw);
    }
    const [orderA, orderB] = [[...ra.keys()].filter((k) => rb.has(k)), [...rb.keys()].filter((k) => ra.has(k))];
    if (orderA.join('\u0000') !== orderB.join('\u0000')) {
      out.push({ kind: 'rules_reordered', entity: 'flag', key: flag, from: [...ra.keys()], to: [...rb.keys()] });
    }
    for (const [key, raw] of ra) {
      const after = rb.get(key);
      if (after) out.push(...diffRule({ entity: 'rule', flag, variableNames, accounted }, key, raw, after));
    }
    const variables = flagVariables(flag, fa.raw, fb.raw, accounted);
    out.push(...variables.changes);
    const fields = [...otherFields(fa.raw, fb.raw, FLAG_SHOWN), ...variables.fields, ...flagRules(a, fa, b, fb, accounted)];
    if (fields.length > 0) out.push({ kind: 'other', entity: 'other', of: 'flag', key: `flag ${flag}`, path: `flag ${flag}`, fields });
  }
  return out;
}

/**
 * What the flag's rules do not show of how it refers to them: `experimentIds` that name no rule (no
 * such experiment, a repeated one, one whose key another rule has), the rollout's own fields, and
 * rollout entries that are no rule. Rules themselves are reported by key, their order included.
 */
function flagRules(a: Model, fa: Flag, b: Model, fb: Flag, accounted: Accounted): string[] {
  if (fa.rollout && fb.rollout) accounted.pair(fa.rollout, fb.rollout);
  else {
    accounted.whole(0, fa.rollout);
    accounted.whole(1, fb.rollout);
  }
  const fields = otherFields(fa.rollout ?? {}, fb.rollout ?? {}, ROLLOUT_SHOWN).map((f) => `rollout.${f}`);
  if (accounted.rest(fa.rollout?.experiments, fb.rollout?.experiments, false)) fields.push('rollout.experiments');
  if (!same(unusedIds(a, fa), unusedIds(b, fb))) fields.unshift('experimentIds');
  return fields;
}

/** The flag's `experimentIds` that bring it no rule, as they are (or the field itself when it is no list). */
function unusedIds(m: Model, f: Flag): unknown {
  const ids = f.raw.experimentIds;
  if (!Array.isArray(ids)) return ids;
  const rules = new Set(f.rules.map((r) => r.raw));
  return ids.filter((id) => {
    const experiment = m.experiments.get(str(id) ?? '');
    return !(experiment && rules.delete(experiment));
  });
}

/** The flag's variable definitions: added, removed, or a new `defaultValue`; and what else changed in them. */
function flagVariables(flag: string, a: Obj, b: Obj, accounted: Accounted): { changes: Change[]; fields: string[] } {
  const [va, vb] = [keyed(list(a.variables), byKey), keyed(list(b.variables), byKey)];
  const changes: Change[] = [];
  const fields: string[] = [];
  for (const [key, y] of vb) {
    if (va.has(key)) continue;
    changes.push({ kind: 'variable_added', entity: 'variable', key, flag });
    accounted.whole(1, y);
  }
  for (const [key, x] of va) {
    if (vb.has(key)) continue;
    changes.push({ kind: 'variable_removed', entity: 'variable', key, flag });
    accounted.whole(0, x);
  }
  for (const [key, x] of va) {
    const y = vb.get(key);
    if (!y) continue;
    accounted.pair(x, y);
    const [from, to] = [str(x.defaultValue), str(y.defaultValue)];
    if (from !== to)
      changes.push({ kind: 'variable_changed', entity: 'variable', key, flag, ...present('from', from), ...present('to', to) });
    const shown = new Set(['key', ...(from !== to ? ['defaultValue'] : [])]);
    fields.push(...otherFields(x, y, shown).map((f) => `variables[${key}].${f}`));
  }
  if (accounted.rest(a.variables, b.variables)) fields.push('variables');
  return { changes, fields };
}

/** Standalone experiments or holdouts: rules that belong to no flag. */
function ruleSet(
  entity: 'experiment' | 'holdout',
  a: Map<string, Obj>,
  b: Map<string, Obj>,
  names: ReadonlyMap<string, string>,
  accounted: Accounted,
): Change[] {
  const [added, removed] =
    entity === 'experiment' ? (['experiment_added', 'experiment_removed'] as const) : (['holdout_added', 'holdout_removed'] as const);
  const out: Change[] = [];
  for (const [key, raw] of b) {
    if (a.has(key)) continue;
    out.push({ kind: added, entity, key, traffic: trafficPercent(raw) });
    accounted.whole(1, raw);
  }
  for (const [key, raw] of a) {
    if (b.has(key)) continue;
    out.push({ kind: removed, entity, key, traffic: trafficPercent(raw) });
    accounted.whole(0, raw);
  }
  for (const [key, raw] of a) {
    const after = b.get(key);
    if (after) out.push(...diffRule({ entity, variableNames: names, accounted, ...inFlag(undefined) }, key, raw, after));
  }
  return out;
}

function other(path: string, detail: { from?: string; to?: string } = {}): Change {
  return { kind: 'other', entity: 'other', key: path, path, ...detail };
}

function values(from: unknown, to: unknown): { from?: string; to?: string } {
  const clip = (x: unknown) => (x === undefined ? undefined : stable(x).slice(0, MAX_TEXT));
  return { ...present('from', clip(from)), ...present('to', clip(to)) };
}
