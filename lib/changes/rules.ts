import { allocation, byKey, keyed, list, type Obj, present, same, stable, str, trafficPercent } from './read';
import type { Change, RuleEntity } from './types';

/** Where a rule sits, for the records it produces. */
export interface RuleContext {
  entity: RuleEntity;
  flag?: string;
  variableNames: ReadonlyMap<string, string>;
}

/** Rule fields compared one by one below; a change to any other field is reported as `other`. */
const UNDERSTOOD = new Set(['key', 'status', 'audienceIds', 'audienceConditions', 'trafficAllocation', 'variations']);

export function inFlag(flag: string | undefined): { flag?: string } {
  return flag === undefined ? {} : { flag };
}

/** Everything that changed inside one rule (or standalone experiment, or holdout) present on both sides. */
export function diffRule(ctx: RuleContext, key: string, a: Obj, b: Obj): Change[] {
  const where = { entity: ctx.entity, key, ...inFlag(ctx.flag) };
  const out: Change[] = [];
  const [statusA, statusB] = [str(a.status), str(b.status)];
  if (statusA !== statusB) out.push({ kind: 'status_changed', ...where, ...present('from', statusA), ...present('to', statusB) });
  const [audA, audB] = [audiences(a), audiences(b)];
  if (audA !== audB) out.push({ kind: 'rule_audiences_changed', ...where, from: audA, to: audB });
  out.push(...diffTraffic(where, a, b));
  out.push(...diffVariations(ctx, key, a, b));
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((f) => !UNDERSTOOD.has(f) && !same(a[f], b[f]));
  if (fields.length > 0) {
    const path = `${ctx.flag === undefined ? '' : `flag ${ctx.flag} › `}${ctx.entity} ${key}`;
    out.push({ kind: 'other', entity: 'other', key: path, path, fields });
  }
  return out;
}

/** The audience targeting as the SDK reads it: `audienceConditions` wins over `audienceIds`. */
function audiences(rule: Obj): string {
  return stable(rule.audienceConditions !== undefined ? rule.audienceConditions : (rule.audienceIds ?? []));
}

function diffTraffic(where: { entity: RuleEntity; key: string; flag?: string }, a: Obj, b: Obj): Change[] {
  const [from, to] = [trafficPercent(a), trafficPercent(b)];
  if (from !== to) return [{ kind: 'traffic_changed', ...where, from, to, deltaPoints: Math.round((to - from) * 100) / 100 }];
  const [splitA, splitB] = [allocation(a), allocation(b)];
  const same = (x: Map<string, number>, y: Map<string, number>) => x.size === y.size && [...x].every(([id, w]) => y.get(id) === w);
  if (same(splitA, splitB)) return [];
  const [textA, textB] = [splitText(splitA, a), splitText(splitB, b)];
  if (textA !== textB) return [{ kind: 'allocation_changed', ...where, from: textA, to: textB }];
  // Same names and shares: only variation ids moved, which by name alone reads as no change at all.
  const moved = new Set([...[...splitA.keys()].filter((id) => !splitB.has(id)), ...[...splitB.keys()].filter((id) => !splitA.has(id))]);
  return [{ kind: 'allocation_changed', ...where, from: splitText(splitA, a, moved), to: splitText(splitB, b, moved) }];
}

/** `on 50%, off 50%`, or `on (id 123) 50%, off 50%` when the id of `on` is in `showIds`. */
function splitText(split: Map<string, number>, rule: Obj, showIds: ReadonlySet<string> = new Set()): string {
  const names = new Map(list(rule.variations).flatMap((v) => (str(v.id) === undefined ? [] : [[str(v.id), byKey(v)] as const])));
  const label = (id: string, name = id) => (showIds.has(id) && name !== id ? `${name} (id ${id})` : name);
  return [...split].map(([id, width]) => `${label(id, names.get(id))} ${width / 100}%`).join(', ');
}

function diffVariations(ctx: RuleContext, rule: string, a: Obj, b: Obj): Change[] {
  const [va, vb] = [keyed(list(a.variations), byKey), keyed(list(b.variations), byKey)];
  const flag = inFlag(ctx.flag);
  const out: Change[] = [];
  for (const key of vb.keys()) if (!va.has(key)) out.push({ kind: 'variation_added', entity: 'variation', key, rule, ...flag });
  for (const key of va.keys()) if (!vb.has(key)) out.push({ kind: 'variation_removed', entity: 'variation', key, rule, ...flag });
  for (const [key, x] of va) {
    const y = vb.get(key);
    if (!y) continue;
    const [from, to] = [x.featureEnabled === true, y.featureEnabled === true];
    if (from !== to) out.push({ kind: 'feature_enabled_changed', entity: 'variation', key, rule, from, to, ...flag });
    const [valuesA, valuesB] = [values(x), values(y)];
    for (const id of new Set([...valuesA.keys(), ...valuesB.keys()])) {
      const [before, after] = [valuesA.get(id), valuesB.get(id)];
      if (before === after) continue;
      const name = ctx.variableNames.get(id) ?? id;
      out.push({
        kind: 'variable_changed',
        entity: 'variable',
        key: name,
        rule,
        variation: key,
        ...flag,
        ...present('from', before),
        ...present('to', after),
      });
    }
  }
  return out;
}

/** A variation's variable values by variable id. */
function values(variation: Obj): Map<string, string | undefined> {
  return new Map(list(variation.variables).flatMap((v) => (str(v.id) === undefined ? [] : [[str(v.id) as string, str(v.value)] as const])));
}
