import { ConfigError } from '../errors';
import { decisionKeys } from './read';
import type { DatafileDiff } from './types';

/**
 * A project's guardrails (the `guardrails` object of its entry in the projects JSON). Every field is
 * optional; an absent field checks nothing.
 *
 * @example
 * const g: Guardrails = { requiredFlags: ['checkout'], maxBytes: 1_000_000, forbidFlagRemoval: true, maxTrafficIncreasePoints: 20 };
 */
export interface Guardrails {
  /** Flag keys (or, in v2/v3 datafiles, experiment keys) every revision must still contain. */
  requiredFlags?: readonly string[];
  /** Largest datafile accepted, in bytes. */
  maxBytes?: number;
  /** A revision may not remove a flag (nor a standalone experiment, which clients decide on by key). */
  forbidFlagRemoval?: boolean;
  /** Largest traffic increase of one rule (or standalone experiment, or holdout), in percentage points (0..100). */
  maxTrafficIncreasePoints?: number;
}

/**
 * What a violation broke: a guardrail, the SDK check, or `diffFailed` (the diff that
 * `forbidFlagRemoval` / `maxTrafficIncreasePoints` judge could not be computed).
 */
export type GuardrailRule = 'requiredFlags' | 'maxBytes' | 'forbidFlagRemoval' | 'maxTrafficIncreasePoints' | 'diffFailed' | 'sdkRejected';

/** One broken guardrail, with a sentence for people. */
export interface Violation {
  rule: GuardrailRule;
  message: string;
}

const FIELDS = new Set(['requiredFlags', 'maxBytes', 'forbidFlagRemoval', 'maxTrafficIncreasePoints']);

/**
 * Check a raw `guardrails` object; `undefined` means no guardrails. `source` names where it came from
 * and prefixes every error, e.g. `SSM parameter /x: project 123` gives
 * `SSM parameter /x: project 123 guardrails.maxBytes must be a positive integer.`
 *
 * @throws ConfigError (`invalid_config`) naming the first unknown or malformed field.
 * @example
 * const guardrails = parseGuardrails(project.guardrails, `${source}: project ${id}`);
 */
export function parseGuardrails(raw: unknown, source: string): Guardrails {
  if (raw === undefined) return {};
  const fail = (what: string) => new ConfigError(`${source} guardrails${what}.`);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw fail(' must be an object');
  const o = raw as Record<string, unknown>;
  const unknown = Object.keys(o).find((k) => !FIELDS.has(k));
  if (unknown !== undefined) throw fail(`.${unknown} is not a known guardrail (known: ${[...FIELDS].join(', ')})`);
  const out: Guardrails = {};
  const { requiredFlags, maxBytes, forbidFlagRemoval, maxTrafficIncreasePoints } = o;
  if (requiredFlags !== undefined) {
    if (!Array.isArray(requiredFlags) || !requiredFlags.every((k) => typeof k === 'string' && k.length > 0)) {
      throw fail('.requiredFlags must be a list of flag keys');
    }
    out.requiredFlags = requiredFlags as string[];
  }
  if (maxBytes !== undefined) {
    if (typeof maxBytes !== 'number' || !Number.isSafeInteger(maxBytes) || maxBytes <= 0)
      throw fail('.maxBytes must be a positive integer');
    out.maxBytes = maxBytes;
  }
  if (forbidFlagRemoval !== undefined) {
    if (typeof forbidFlagRemoval !== 'boolean') throw fail('.forbidFlagRemoval must be true or false');
    out.forbidFlagRemoval = forbidFlagRemoval;
  }
  if (maxTrafficIncreasePoints !== undefined) {
    const p = maxTrafficIncreasePoints;
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 100)
      throw fail('.maxTrafficIncreasePoints must be a number from 0 to 100');
    out.maxTrafficIncreasePoints = p;
  }
  return out;
}

/** What {@link checkGuardrails} looks at. */
export interface GuardrailInput {
  guardrails: Guardrails;
  /** Size of the new datafile as stored, in bytes. */
  bytes: number;
  /** The new datafile, parsed. */
  next: unknown;
  /**
   * From the previous revision to `next` (an `initial` diff has nothing to remove or ramp up), or why
   * it could not be computed: then the guardrails that need it break as `diffFailed`, because what
   * cannot be checked must not pass.
   */
  diff: DatafileDiff | { error: string };
  /** The verdict of `sdkAccepts` (lib/changes/sdk-check.ts), when the caller ran it. */
  sdk?: { ok: true } | { ok: false; reason: string };
}

/**
 * Every guardrail the new revision breaks, in a fixed order; empty = the revision may go live.
 * Traffic counts for rules of flags that exist on both sides (a rule added to such a flag counts
 * from 0%); a brand-new flag is a release of its own, guarded by `requiredFlags`/review, not a ramp.
 *
 * @example
 * const violations = checkGuardrails({ guardrails, bytes: body.length, next: parsed, diff, sdk: await sdkAccepts(text) });
 * if (violations.length > 0) hold(violations.map((v) => v.message));
 */
export function checkGuardrails(input: GuardrailInput): Violation[] {
  const { guardrails: g, bytes, next } = input;
  const changes = 'error' in input.diff ? undefined : input.diff.changes;
  const out: Violation[] = [];
  if (g.requiredFlags && g.requiredFlags.length > 0) {
    const present = new Set(decisionKeys(next));
    const missing = g.requiredFlags.filter((k) => !present.has(k));
    if (missing.length > 0) out.push({ rule: 'requiredFlags', message: `Required flags missing: ${missing.join(', ')}.` });
  }
  if (g.maxBytes !== undefined && bytes > g.maxBytes) {
    out.push({ rule: 'maxBytes', message: `The datafile is ${bytes} bytes, more than the ${g.maxBytes} allowed.` });
  }
  if ('error' in input.diff) {
    const blind = [
      ...(g.forbidFlagRemoval ? ['forbidFlagRemoval'] : []),
      ...(g.maxTrafficIncreasePoints !== undefined ? ['maxTrafficIncreasePoints'] : []),
    ];
    const why = `The changes from the previous revision could not be computed (${input.diff.error})`;
    if (blind.length > 0) out.push({ rule: 'diffFailed', message: `${why}, so ${blind.join(' and ')} cannot be checked.` });
  }
  if (g.forbidFlagRemoval && changes) {
    const removed = changes.flatMap((c) => (c.kind === 'flag_removed' || c.kind === 'experiment_removed' ? [c.key] : []));
    if (removed.length > 0) out.push({ rule: 'forbidFlagRemoval', message: `Flags removed: ${removed.join(', ')}.` });
  }
  if (g.maxTrafficIncreasePoints !== undefined && changes) {
    const limit = g.maxTrafficIncreasePoints;
    for (const c of changes) {
      const rise = c.kind === 'traffic_changed' ? c.deltaPoints : c.kind === 'rule_added' ? c.traffic : 0;
      if (rise <= limit || (c.kind !== 'traffic_changed' && c.kind !== 'rule_added')) continue;
      const where = c.flag === undefined ? `${c.entity} ${c.key}` : `flag ${c.flag} rule ${c.key}`;
      out.push({
        rule: 'maxTrafficIncreasePoints',
        message: `Traffic of ${where} rises by ${rise} points, more than the ${limit} allowed.`,
      });
    }
  }
  if (input.sdk && !input.sdk.ok)
    out.push({ rule: 'sdkRejected', message: `The Optimizely SDK rejects the datafile: ${input.sdk.reason}` });
  return out;
}
