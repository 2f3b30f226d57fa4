/**
 * The records a datafile diff is made of. Every change has a stable `kind` (what happened), the
 * `entity` it happened to, and that entity's `key`; changes inside a flag also name the `flag` (and
 * the `rule` / `variation`) they sit in. Values that can be arbitrary JSON (audience conditions,
 * settings, unknown fields) are carried as JSON text so every record is small and serialisable.
 *
 * @example
 * const c: Change = { kind: 'traffic_changed', entity: 'rule', flag: 'checkout', key: 'exp_1', from: 10, to: 25, deltaPoints: 15 };
 */

/** What holds variations and traffic: a flag's rule, a standalone (v2/v3-style) experiment, or a holdout. */
export type RuleEntity = 'rule' | 'experiment' | 'holdout';

/** Where a change sits: the flag it belongs to (absent for standalone experiments, holdouts and the rest). */
interface InFlag {
  flag?: string;
}

export type Change =
  | { kind: 'flag_added' | 'flag_removed'; entity: 'flag'; key: string }
  /** The flag's rules (experiments first, then rollout rules) are evaluated in a new order; full key lists. */
  | { kind: 'rules_reordered'; entity: 'flag'; key: string; from: string[]; to: string[] }
  /** `traffic`: share of users the rule allocates to a variation, in percent. */
  | ({
      kind: 'rule_added' | 'rule_removed' | 'experiment_added' | 'experiment_removed' | 'holdout_added' | 'holdout_removed';
      entity: RuleEntity;
      key: string;
      traffic: number;
    } & InFlag)
  /** Total traffic of the rule moved, in percent; `deltaPoints` = to − from (percentage points). */
  | ({ kind: 'traffic_changed'; entity: RuleEntity; key: string; from: number; to: number; deltaPoints: number } & InFlag)
  /**
   * Same total traffic, split differently between variations; `from`/`to` read like `on 50%, off 50%`,
   * with the id of a variation whose id alone changed: `on (id 123) 50%, off 50%`.
   */
  | ({ kind: 'allocation_changed'; entity: RuleEntity; key: string; from: string; to: string } & InFlag)
  | ({ kind: 'status_changed'; entity: RuleEntity; key: string; from?: string; to?: string } & InFlag)
  /** `audienceConditions` (or `audienceIds` when there are none) as JSON text. */
  | ({ kind: 'rule_audiences_changed'; entity: RuleEntity; key: string; from: string; to: string } & InFlag)
  | ({ kind: 'variation_added' | 'variation_removed'; entity: 'variation'; key: string; rule: string } & InFlag)
  | ({ kind: 'feature_enabled_changed'; entity: 'variation'; key: string; rule: string; from: boolean; to: boolean } & InFlag)
  /** A variation's variable value (`rule` and `variation` set) or a flag variable's `defaultValue` (neither set). */
  | ({ kind: 'variable_changed'; entity: 'variable'; key: string; rule?: string; variation?: string; from?: string; to?: string } & InFlag)
  | { kind: 'variable_added' | 'variable_removed'; entity: 'variable'; key: string; flag: string }
  /** Audiences are keyed by id (their names are not unique); `name` is for people. */
  | { kind: 'audience_added' | 'audience_removed'; entity: 'audience'; key: string; name?: string }
  | { kind: 'audience_changed'; entity: 'audience'; key: string; name?: string; from: string; to: string }
  | { kind: 'attribute_added' | 'attribute_removed'; entity: 'attribute'; key: string }
  | { kind: 'event_added' | 'event_removed'; entity: 'event'; key: string }
  /** Groups (mutual exclusion) are keyed by id. */
  | { kind: 'group_added' | 'group_removed'; entity: 'group'; key: string }
  | { kind: 'group_changed'; entity: 'group'; key: string; field: 'policy' | 'trafficAllocation'; from: string; to: string }
  /** A project setting (botFiltering, anonymizeIP, version, …); values as JSON text, absent = undefined. */
  | { kind: 'setting_changed'; entity: 'setting'; key: string; from?: string; to?: string }
  /**
   * Something changed that the records above do not show: an unknown top-level field (`from`/`to` as
   * JSON text); fields of one entity, whatever else changed (`of` says which kind of entity, `path`
   * which one, `fields` names them, nested ones like `variables[color].type`); or, with neither, a
   * section whose entries changed in a way no entity accounts for, such as their order or an entry
   * with no key (`path` is the section name).
   */
  | {
      kind: 'other';
      entity: 'other';
      key: string;
      path: string;
      of?: OtherOf;
      fields?: string[];
      from?: string;
      to?: string;
    };

/** The kind of entity an `other` change names fields of. */
export type OtherOf = RuleEntity | 'flag' | 'audience' | 'attribute' | 'event' | 'group';

/** Every `kind` a {@link Change} can have. */
export type ChangeKind = Change['kind'];

/**
 * A semantic diff between two parsed datafiles.
 *
 * @example
 * const diff = diffDatafiles(JSON.parse(before), JSON.parse(after));
 * if (diff.changes.some((c) => c.kind === 'flag_removed')) hold();
 */
export interface DatafileDiff {
  /** No previous revision: `changes` lists every flag, experiment, audience, … of `next` as added. */
  initial: boolean;
  /** The `revision` fields of both sides, when they are strings or numbers. */
  revisions: { previous?: string; next?: string };
  changes: Change[];
}
