import { points } from './format';
import type { Change, ChangeKind, DatafileDiff } from './types';

/** Budget for a stored summary's JSON (a DynamoDB item is capped at 400 KB; history items stay small). */
export const MAX_SUMMARY_BYTES = 3072;
/** Longest string a summarised change keeps (keys, JSON values), and most items of a key list. */
const MAX_TEXT = 60;
const MAX_ITEMS = 8;

/**
 * A diff small enough to store on a history item: counts per kind, the few figures {@link oneLine}
 * needs, and the first changes with long values cut. Its JSON never exceeds {@link MAX_SUMMARY_BYTES}.
 *
 * @example
 * const summary = summarize(diffDatafiles(previous, next));
 * item.changes = summary; // ~0.3–3 KB
 */
export interface DiffSummary {
  initial: boolean;
  revisions: { previous?: string; next?: string };
  /** Number of changes in the diff. */
  total: number;
  counts: Partial<Record<ChangeKind, number>>;
  /** Distinct rules, standalone experiments and holdouts changed in place (traffic, status, variations, …). */
  rulesChanged: number;
  /** Flag variable definitions added, removed or given a new default. */
  flagVariablesChanged: number;
  /** The largest traffic move of one rule, by absolute points; `flag` absent for standalone experiments. */
  peakTraffic?: { key: string; flag?: string; deltaPoints: number };
  /** The first changes, values cut to a few dozen characters. */
  changes: Change[];
  /** Changes left out of `changes` (by `maxChanges` or the byte budget). */
  omitted: number;
}

/**
 * Summarise a diff for storage: counts, figures, and at most `maxChanges` changes.
 *
 * @example
 * oneLine(summarize(diff)); // '+2 flags, -1 flag, 3 rules changed, traffic +15pp (checkout_flow)'
 */
export function summarize(diff: DatafileDiff, maxChanges = 10): DiffSummary {
  const counts: Partial<Record<ChangeKind, number>> = {};
  const rules = new Set<string>();
  let flagVariablesChanged = 0;
  let peakTraffic: DiffSummary['peakTraffic'];
  for (const c of diff.changes) {
    counts[c.kind] = (counts[c.kind] ?? 0) + 1;
    const rule = ruleOf(c);
    if (rule !== undefined) rules.add(rule);
    if (c.kind === 'variable_added' || c.kind === 'variable_removed' || (c.kind === 'variable_changed' && c.rule === undefined)) {
      flagVariablesChanged++;
    }
    if (c.kind === 'traffic_changed' && Math.abs(c.deltaPoints) > Math.abs(peakTraffic?.deltaPoints ?? 0)) {
      peakTraffic = { key: shorten(c.key), ...(c.flag === undefined ? {} : { flag: shorten(c.flag) }), deltaPoints: c.deltaPoints };
    }
  }
  const summary: DiffSummary = {
    initial: diff.initial,
    revisions: diff.revisions,
    total: diff.changes.length,
    counts,
    rulesChanged: rules.size,
    flagVariablesChanged,
    ...(peakTraffic ? { peakTraffic } : {}),
    changes: diff.changes.slice(0, Math.max(0, maxChanges)).map(compact),
    omitted: 0,
  };
  // Cut from the end until it fits: the counts always survive, the examples are a bonus.
  while (summary.changes.length > 0 && Buffer.byteLength(JSON.stringify(summary)) > MAX_SUMMARY_BYTES) summary.changes.pop();
  summary.omitted = summary.total - summary.changes.length;
  return summary;
}

/** Identity of the rule an in-place change belongs to, or undefined for any other change. */
function ruleOf(c: Change): string | undefined {
  switch (c.kind) {
    case 'traffic_changed':
    case 'allocation_changed':
    case 'status_changed':
    case 'rule_audiences_changed':
      return [c.entity, c.flag, c.key].join('\u0000');
    case 'variation_added':
    case 'variation_removed':
    case 'feature_enabled_changed':
      return ['rule', c.flag, c.rule].join('\u0000');
    case 'variable_changed':
      return c.rule === undefined ? undefined : ['rule', c.flag, c.rule].join('\u0000');
    case 'other':
      return c.of === 'rule' || c.of === 'experiment' || c.of === 'holdout' ? c.path : undefined;
    default:
      return undefined;
  }
}

/** The change with every string cut to {@link MAX_TEXT} characters and every list to {@link MAX_ITEMS}. */
function compact(c: Change): Change {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) {
    if (typeof v === 'string') out[k] = shorten(v);
    else if (Array.isArray(v)) out[k] = v.length > MAX_ITEMS ? [...v.slice(0, MAX_ITEMS), `… +${v.length - MAX_ITEMS}`] : v.map(shorten);
    else out[k] = v;
  }
  return out as Change;
}

function shorten(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

const PHRASES: ReadonlyArray<[ChangeKind, string, string]> = [
  ['flag_added', '+', 'flag'],
  ['flag_removed', '-', 'flag'],
  ['rule_added', '+', 'rule'],
  ['rule_removed', '-', 'rule'],
  ['experiment_added', '+', 'experiment'],
  ['experiment_removed', '-', 'experiment'],
  ['holdout_added', '+', 'holdout'],
  ['holdout_removed', '-', 'holdout'],
];
const LATER: ReadonlyArray<[ChangeKind, string, string]> = [
  ['audience_added', '+', 'audience'],
  ['audience_removed', '-', 'audience'],
  ['audience_changed', '', 'audience'],
  ['attribute_added', '+', 'attribute'],
  ['attribute_removed', '-', 'attribute'],
  ['event_added', '+', 'event'],
  ['event_removed', '-', 'event'],
  ['group_added', '+', 'group'],
  ['group_removed', '-', 'group'],
  ['group_changed', '', 'group'],
  ['setting_changed', '', 'setting'],
];

/**
 * The summary as one short line for logs, notifications and `history` listings.
 *
 * @example
 * oneLine(summary); // '+2 flags, -1 flag, 3 rules changed, traffic +15pp (checkout_flow), 1 audience changed'
 */
export function oneLine(summary: DiffSummary): string {
  const n = (kind: ChangeKind) => summary.counts[kind] ?? 0;
  const phrase = ([kind, sign, noun]: [ChangeKind, string, string]) =>
    n(kind) === 0 ? [] : [sign ? `${sign}${n(kind)} ${plural(n(kind), noun)}` : `${n(kind)} ${plural(n(kind), noun)} changed`];
  const parts = PHRASES.flatMap(phrase);
  if (summary.rulesChanged > 0) parts.push(`${summary.rulesChanged} ${plural(summary.rulesChanged, 'rule')} changed`);
  if (n('rules_reordered') > 0) parts.push(`rules reordered in ${n('rules_reordered')} ${plural(n('rules_reordered'), 'flag')}`);
  const peak = summary.peakTraffic;
  if (peak) parts.push(`traffic ${points(peak.deltaPoints)} (${peak.flag ?? peak.key})`);
  if (summary.flagVariablesChanged > 0)
    parts.push(`${summary.flagVariablesChanged} flag ${plural(summary.flagVariablesChanged, 'variable')} changed`);
  parts.push(...LATER.flatMap(phrase));
  if (n('other') > 0) parts.push(`${n('other')} other ${plural(n('other'), 'change')}`);
  const line = parts.length > 0 ? parts.join(', ') : 'no changes';
  return summary.initial ? `initial revision: ${line}` : line;
}

function plural(count: number, noun: string): string {
  return count === 1 ? noun : `${noun}s`;
}
