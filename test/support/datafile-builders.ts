/**
 * Optimizely-shaped datafiles of versions 2, 3 and 4, written from a short description so a test can
 * state one revision, change one thing, and diff the two. Ids derive from keys, so the same key gets
 * the same id in every revision (as in Optimizely).
 */

export interface VariationSpec {
  key: string;
  featureEnabled?: boolean;
  /** Variable key → value (v3/v4). */
  variables?: Record<string, string>;
}

export interface RuleSpec {
  key: string;
  /** Percent of users allocated, split evenly over the variations unless `split` is given. Default 100. */
  traffic?: number;
  /** Percent per variation, in order (overrides `traffic`). */
  split?: number[];
  variations?: VariationSpec[];
  status?: string;
  audienceIds?: string[];
  audienceConditions?: unknown;
  forcedVariations?: Record<string, string>;
}

export interface FlagSpec {
  key: string;
  experiments?: RuleSpec[];
  rollout?: RuleSpec[];
  /** Variable key → default value. */
  variables?: Record<string, string>;
}

export interface DatafileSpec {
  version?: '2' | '3' | '4';
  revision?: number;
  flags?: FlagSpec[];
  /** Experiments of no flag (all experiments of a v2/v3 datafile). */
  experiments?: RuleSpec[];
  groups?: { id: string; policy?: string; experiments: RuleSpec[] }[];
  audiences?: { id: string; name: string; conditions: string }[];
  typedAudiences?: { id: string; name: string; conditions: unknown }[];
  attributes?: string[];
  events?: string[];
  /** Top-level fields to set or override (settings such as botFiltering, or unknown fields). */
  extra?: Record<string, unknown>;
}

/** A decimal id that depends only on `what` (stable across revisions). */
export function idOf(what: string): string {
  let h = 5381;
  for (const ch of what) h = (h * 33 + ch.charCodeAt(0)) % 2_147_483_647;
  return String(1_000_000 + h);
}

const ON: VariationSpec[] = [{ key: 'on', featureEnabled: true }];

function rule(spec: RuleSpec, version: string, layerId: string): Record<string, unknown> {
  const variations = spec.variations ?? ON;
  const split = spec.split ?? variations.map(() => (spec.traffic ?? 100) / variations.length);
  let end = 0;
  const trafficAllocation = variations.map((v, i) => {
    end += Math.round((split[i] ?? 0) * 100);
    return { entityId: idOf(`variation:${spec.key}:${v.key}`), endOfRange: end };
  });
  return {
    id: idOf(`rule:${spec.key}`),
    key: spec.key,
    status: spec.status ?? 'Running',
    layerId,
    audienceIds: spec.audienceIds ?? [],
    ...(version === '2' ? {} : { audienceConditions: spec.audienceConditions ?? [] }),
    forcedVariations: spec.forcedVariations ?? {},
    variations: variations.map((v) => ({
      id: idOf(`variation:${spec.key}:${v.key}`),
      key: v.key,
      ...(version === '4' ? { featureEnabled: v.featureEnabled ?? false } : {}),
      ...(version === '2'
        ? {}
        : { variables: Object.entries(v.variables ?? {}).map(([k, value]) => ({ id: idOf(`variable:${k}`), value })) }),
    })),
    trafficAllocation,
  };
}

/** The datafile as a parsed object (JSON.stringify it for bytes). */
export function buildDatafile(spec: DatafileSpec = {}): Record<string, unknown> {
  const version = spec.version ?? '4';
  const flags = spec.flags ?? [];
  const flagExperiments = flags.flatMap((f) => (f.experiments ?? []).map((r) => rule(r, version, idOf(`layer:${r.key}`))));
  const doc: Record<string, unknown> = {
    version,
    revision: String(spec.revision ?? 1),
    projectId: '5088239376138240',
    accountId: '24535200037',
    experiments: [...flagExperiments, ...(spec.experiments ?? []).map((r) => rule(r, version, idOf(`layer:${r.key}`)))],
    groups: (spec.groups ?? []).map((g) => ({
      id: g.id,
      policy: g.policy ?? 'random',
      experiments: g.experiments.map((r) => rule(r, version, idOf(`layer:${r.key}`))),
      trafficAllocation: g.experiments.map((r, i) => ({
        entityId: idOf(`rule:${r.key}`),
        endOfRange: Math.round(((i + 1) * 10_000) / g.experiments.length),
      })),
    })),
    audiences: spec.audiences ?? [],
    attributes: (spec.attributes ?? []).map((key) => ({ id: idOf(`attribute:${key}`), key })),
    events: (spec.events ?? []).map((key) => ({ id: idOf(`event:${key}`), key, experimentIds: [] })),
  };
  if (version !== '2') doc.anonymizeIP = true;
  if (version === '4' || (version === '3' && spec.flags)) {
    doc.featureFlags = flags.map((f) => ({
      id: idOf(`flag:${f.key}`),
      key: f.key,
      experimentIds: (f.experiments ?? []).map((r) => idOf(`rule:${r.key}`)),
      rolloutId: version === '4' ? idOf(`rollout:${f.key}`) : '',
      variables: Object.entries(f.variables ?? {}).map(([key, defaultValue]) => ({
        id: idOf(`variable:${key}`),
        key,
        type: 'string',
        defaultValue,
      })),
    }));
  }
  if (version === '4') {
    doc.rollouts = flags.map((f) => {
      const id = idOf(`rollout:${f.key}`);
      return { id, experiments: (f.rollout ?? []).map((r) => rule(r, version, id)) };
    });
    Object.assign(doc, { typedAudiences: spec.typedAudiences ?? [], botFiltering: false, sendFlagDecisions: true, sdkKey: 'sdk_key' });
    Object.assign(doc, { environmentKey: 'production', integrations: [] });
  }
  return Object.assign(doc, spec.extra);
}
