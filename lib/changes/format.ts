import type { Change, DatafileDiff, RuleEntity } from './types';

/** Longest value a CLI line shows (audience conditions can be kilobytes). */
const MAX_VALUE = 120;

/**
 * One human-readable line per change, in diff order: `+` added, `-` removed, `~` changed. An empty
 * diff gives no lines (the caller says "no changes" its own way).
 *
 * @example
 * formatDiff(diff);
 * // ['+ flag new_checkout', '~ flag checkout › rule exp_1 traffic 10% → 25% (+15pp)',
 * //  '~ flag checkout › rule exp_1 › variation on › variable color "red" → "blue"']
 */
export function formatDiff(diff: DatafileDiff): string[] {
  return diff.changes.map(formatChange);
}

/** The line {@link formatDiff} prints for one change. */
export function formatChange(c: Change): string {
  switch (c.kind) {
    case 'flag_added':
    case 'flag_removed':
      return `${sign(c.kind)} flag ${c.key}`;
    case 'rules_reordered':
      return `~ flag ${c.key} › rules reordered: ${c.from.join(', ')} → ${c.to.join(', ')}`;
    case 'rule_added':
    case 'rule_removed':
    case 'experiment_added':
    case 'experiment_removed':
    case 'holdout_added':
    case 'holdout_removed':
      return `${sign(c.kind)} ${where(c.entity, c.key, c.flag)} (traffic ${c.traffic}%)`;
    case 'traffic_changed':
      return `~ ${where(c.entity, c.key, c.flag)} traffic ${c.from}% → ${c.to}% (${points(c.deltaPoints)})`;
    case 'allocation_changed':
      return `~ ${where(c.entity, c.key, c.flag)} split ${c.from} → ${c.to}`;
    case 'status_changed':
      return `~ ${where(c.entity, c.key, c.flag)} status ${c.from ?? '(none)'} → ${c.to ?? '(none)'}`;
    case 'rule_audiences_changed':
      return `~ ${where(c.entity, c.key, c.flag)} audiences ${cut(c.from)} → ${cut(c.to)}`;
    case 'variation_added':
    case 'variation_removed':
      return `${sign(c.kind)} ${where('rule', c.rule, c.flag)} › variation ${c.key}`;
    case 'feature_enabled_changed':
      return `~ ${where('rule', c.rule, c.flag)} › variation ${c.key} featureEnabled ${c.from} → ${c.to}`;
    case 'variable_changed':
      if (c.rule === undefined) return `~ flag ${c.flag ?? '?'} › variable ${c.key} default ${quote(c.from)} → ${quote(c.to)}`;
      return `~ ${where('rule', c.rule, c.flag)} › variation ${c.variation ?? '?'} › variable ${c.key} ${quote(c.from)} → ${quote(c.to)}`;
    case 'variable_added':
    case 'variable_removed':
      return `${sign(c.kind)} flag ${c.flag} › variable ${c.key}`;
    case 'audience_added':
    case 'audience_removed':
      return `${sign(c.kind)} audience ${audience(c.key, c.name)}`;
    case 'audience_changed':
      return `~ audience ${audience(c.key, c.name)} conditions ${cut(c.from)} → ${cut(c.to)}`;
    case 'attribute_added':
    case 'attribute_removed':
    case 'event_added':
    case 'event_removed':
    case 'group_added':
    case 'group_removed':
      return `${sign(c.kind)} ${c.entity} ${c.key}`;
    case 'group_changed':
      return `~ group ${c.key} ${c.field} ${cut(c.from)} → ${cut(c.to)}`;
    case 'setting_changed':
      return `~ setting ${c.key} ${cut(c.from ?? '(absent)')} → ${cut(c.to ?? '(absent)')}`;
    case 'other': {
      const fields = c.fields ? ` (${c.fields.join(', ')})` : '';
      const values = c.from !== undefined || c.to !== undefined ? ` ${cut(c.from ?? '(absent)')} → ${cut(c.to ?? '(absent)')}` : '';
      return `~ other ${c.path}${fields}${values}`;
    }
  }
}

function sign(kind: string): '+' | '-' {
  return kind.endsWith('_added') ? '+' : '-';
}

function where(entity: RuleEntity, key: string, flag: string | undefined): string {
  return flag === undefined ? `${entity} ${key}` : `flag ${flag} › ${entity} ${key}`;
}

function audience(id: string, name: string | undefined): string {
  return name === undefined ? id : `${name} (${id})`;
}

/** `+15pp`, `-2.5pp`. */
export function points(delta: number): string {
  return `${delta > 0 ? '+' : ''}${delta}pp`;
}

function quote(value: string | undefined): string {
  return value === undefined ? '(absent)' : cut(JSON.stringify(value));
}

function cut(text: string): string {
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}
