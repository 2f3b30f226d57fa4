import { type Accounted, otherFields } from './accounted';
import { allocation, byKey, keyed, list, type Obj, present, same, stable, str, trafficPercent } from './read';
import type { Change, RuleEntity } from './types';

/** Where a rule sits, for the records it produces. */
export interface RuleContext {
  entity: RuleEntity;
  flag?: string;
  variableNames: ReadonlyMap<string, string>;
  accounted: Accounted;
}

export function inFlag(flag: string | undefined): { flag?: string } {
  return flag === undefined ? {} : { flag };
}

/**
 * Everything that changed inside one rule (or standalone experiment, or holdout) present on both
 * sides: typed changes first, then one `other` naming every field whose change they do not show
 * (`forcedVariations`, `variations[on].id`, a `status` that differs only in its JSON type, …).
 */
export function diffRule(ctx: RuleContext, key: string, a: Obj, b: Obj): Change[] {
  ctx.accounted.pair(a, b);
  if (same(a, b)) return [];
  const where = { entity: ctx.entity, key, ...inFlag(ctx.flag) };
  const out: Change[] = [];
  // Fields the typed changes below fully report; any other field that differs is named in `other`.
  const shown = new Set(['key', 'variations']);
  const [statusA, statusB] = [str(a.status), str(b.status)];
  if (statusA !== statusB) {
    out.push({ kind: 'status_changed', ...where, ...present('from', statusA), ...present('to', statusB) });
    shown.add('status');
  }
  const [audA, audB] = [audiences(a), audiences(b)];
  if (audA !== audB) {
    out.push({ kind: 'rule_audiences_changed', ...where, from: audA, to: audB });
    shown.add(audienceField(a)).add(audienceField(b));
  }
  const traffic = diffTraffic(where, a, b);
  if (traffic.length > 0) shown.add('trafficAllocation');
  out.push(...traffic);
  const variations = diffVariations(ctx, key, a, b);
  out.push(...variations.changes);
  const fields = [...otherFields(a, b, shown), ...variations.fields];
  if (fields.length > 0) {
    const path = `${ctx.flag === undefined ? '' : `flag ${ctx.flag} › `}${ctx.entity} ${key}`;
    out.push({ kind: 'other', entity: 'other', of: ctx.entity, key: path, path, fields });
  }
  return out;
}

/** The audience targeting as the SDK reads it: `audienceConditions` wins over `audienceIds`. */
function audiences(rule: Obj): string {
  return stable(rule[audienceField(rule)] ?? []);
}

function audienceField(rule: Obj): 'audienceConditions' | 'audienceIds' {
  return rule.audienceConditions !== undefined ? 'audienceConditions' : 'audienceIds';
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

/** Typed changes of the rule's variations, and the paths of the variation fields they do not show. */
function diffVariations(ctx: RuleContext, rule: string, a: Obj, b: Obj): { changes: Change[]; fields: string[] } {
  const [va, vb] = [keyed(list(a.variations), byKey), keyed(list(b.variations), byKey)];
  const flag = inFlag(ctx.flag);
  const changes: Change[] = [];
  const fields: string[] = [];
  for (const [key, y] of vb) {
    if (va.has(key)) continue;
    changes.push({ kind: 'variation_added', entity: 'variation', key, rule, ...flag });
    ctx.accounted.whole(1, y);
  }
  for (const [key, x] of va) {
    if (vb.has(key)) continue;
    changes.push({ kind: 'variation_removed', entity: 'variation', key, rule, ...flag });
    ctx.accounted.whole(0, x);
  }
  for (const [key, x] of va) {
    const y = vb.get(key);
    if (!y) continue;
    ctx.accounted.pair(x, y);
    const shown = new Set(['key', 'variables']);
    const [from, to] = [x.featureEnabled === true, y.featureEnabled === true];
    if (from !== to) {
      changes.push({ kind: 'feature_enabled_changed', entity: 'variation', key, rule, from, to, ...flag });
      shown.add('featureEnabled');
    }
    const variables: string[] = [];
    const [valuesA, valuesB] = [values(x), values(y)];
    for (const id of new Set([...valuesA.keys(), ...valuesB.keys()])) {
      const [before, after] = [valuesA.get(id), valuesB.get(id)];
      const name = ctx.variableNames.get(id) ?? id;
      const [valueA, valueB] = [str(before?.value), str(after?.value)];
      if (valueA !== valueB) {
        changes.push({
          kind: 'variable_changed',
          entity: 'variable',
          key: name,
          rule,
          variation: key,
          ...flag,
          ...present('from', valueA),
          ...present('to', valueB),
        });
      }
      if (!before || !after) {
        ctx.accounted.whole(before ? 0 : 1, before ?? after);
        continue;
      }
      ctx.accounted.pair(before, after);
      const skip = new Set(['id', ...(valueA !== valueB ? ['value'] : [])]);
      variables.push(...otherFields(before, after, skip).map((f) => `variables[${name}].${f}`));
    }
    if (ctx.accounted.rest(x.variables, y.variables)) variables.push('variables');
    fields.push(...[...otherFields(x, y, shown), ...variables].map((f) => `variations[${key}].${f}`));
  }
  if (ctx.accounted.rest(a.variations, b.variations)) fields.push('variations');
  return { changes, fields };
}

/** A variation's variable entries by variable id; of a repeated id the last one wins, as in the SDK. */
function values(variation: Obj): Map<string, Obj> {
  return new Map(list(variation.variables).flatMap((v) => (str(v.id) === undefined ? [] : [[str(v.id) as string, v] as const])));
}
