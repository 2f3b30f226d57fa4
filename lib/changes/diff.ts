import { audiences, groups, named } from './entities';
import { byKey, differs, keyed, list, type Model, type Obj, present, readModel, rec, stable, str, trafficPercent } from './read';
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
  const found = [
    [
      ...flags(a, b, names),
      ...ruleSet('experiment', a.standalone, b.standalone, names),
      ...ruleSet('holdout', a.holdouts, b.holdouts, names),
      ...groups(a, b),
    ],
    audiences(a, b),
    [...named(a.root.attributes, b.root.attributes)].map(
      ([kind, key]): Change => ({ kind: `attribute_${kind}`, entity: 'attribute', key }),
    ),
    [...named(a.root.events, b.root.events)].map(([kind, key]): Change => ({ kind: `event_${kind}`, entity: 'event', key })),
  ];
  const changes: Change[] = [];
  SECTIONS.forEach((keys, i) => {
    const explained = found[i] ?? [];
    changes.push(...explained);
    // A section that differs but whose changes we could not name still says so, never "no change".
    if (explained.length === 0) changes.push(...keys.filter((k) => differs(a.root, b.root, k)).map((k) => other(k)));
  });
  for (const key of SETTINGS) {
    if (differs(a.root, b.root, key))
      changes.push({ kind: 'setting_changed', entity: 'setting', key, ...values(a.root[key], b.root[key]) });
  }
  const unknown = new Set([...Object.keys(a.root), ...Object.keys(b.root)].filter((k) => !KNOWN.has(k)));
  for (const key of unknown) if (differs(a.root, b.root, key)) changes.push(other(key, values(a.root[key], b.root[key])));
  return changes;
}

function flags(a: Model, b: Model, variableNames: ReadonlyMap<string, string>): Change[] {
  const out: Change[] = [];
  for (const key of b.flags.keys()) if (!a.flags.has(key)) out.push({ kind: 'flag_added', entity: 'flag', key });
  for (const key of a.flags.keys()) if (!b.flags.has(key)) out.push({ kind: 'flag_removed', entity: 'flag', key });
  for (const [flag, fa] of a.flags) {
    const fb = b.flags.get(flag);
    if (!fb) continue;
    const [ra, rb] = [new Map(fa.rules.map((r) => [r.key, r.raw])), new Map(fb.rules.map((r) => [r.key, r.raw]))];
    for (const [key, raw] of rb)
      if (!ra.has(key)) out.push({ kind: 'rule_added', entity: 'rule', flag, key, traffic: trafficPercent(raw) });
    for (const [key, raw] of ra)
      if (!rb.has(key)) out.push({ kind: 'rule_removed', entity: 'rule', flag, key, traffic: trafficPercent(raw) });
    const [orderA, orderB] = [[...ra.keys()].filter((k) => rb.has(k)), [...rb.keys()].filter((k) => ra.has(k))];
    if (orderA.join('\u0000') !== orderB.join('\u0000')) {
      out.push({ kind: 'rules_reordered', entity: 'flag', key: flag, from: [...ra.keys()], to: [...rb.keys()] });
    }
    for (const [key, raw] of ra) {
      const after = rb.get(key);
      if (after) out.push(...diffRule({ entity: 'rule', flag, variableNames }, key, raw, after));
    }
    out.push(...flagVariables(flag, fa.raw, fb.raw));
  }
  return out;
}

/** The flag's variable definitions: added, removed, or a new `defaultValue`. */
function flagVariables(flag: string, a: Obj, b: Obj): Change[] {
  const [va, vb] = [keyed(list(a.variables), byKey), keyed(list(b.variables), byKey)];
  const out: Change[] = [];
  for (const key of vb.keys()) if (!va.has(key)) out.push({ kind: 'variable_added', entity: 'variable', key, flag });
  for (const key of va.keys()) if (!vb.has(key)) out.push({ kind: 'variable_removed', entity: 'variable', key, flag });
  for (const [key, x] of va) {
    const y = vb.get(key);
    const [from, to] = [str(x.defaultValue), str(y?.defaultValue)];
    if (y && from !== to)
      out.push({ kind: 'variable_changed', entity: 'variable', key, flag, ...present('from', from), ...present('to', to) });
  }
  return out;
}

/** Standalone experiments or holdouts: rules that belong to no flag. */
function ruleSet(entity: 'experiment' | 'holdout', a: Map<string, Obj>, b: Map<string, Obj>, names: ReadonlyMap<string, string>): Change[] {
  const [added, removed] =
    entity === 'experiment' ? (['experiment_added', 'experiment_removed'] as const) : (['holdout_added', 'holdout_removed'] as const);
  const out: Change[] = [];
  for (const [key, raw] of b) if (!a.has(key)) out.push({ kind: added, entity, key, traffic: trafficPercent(raw) });
  for (const [key, raw] of a) if (!b.has(key)) out.push({ kind: removed, entity, key, traffic: trafficPercent(raw) });
  for (const [key, raw] of a) {
    const after = b.get(key);
    if (after) out.push(...diffRule({ entity, variableNames: names, ...inFlag(undefined) }, key, raw, after));
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
