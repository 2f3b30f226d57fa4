/** Datafile fixtures the tests write themselves (a minimal v4 shape the Optimizely SDK accepts). */
export interface DatafileFixture {
  projectId?: string;
  revision: number | string;
  version?: string;
  sdkKey?: string;
  environmentKey?: string;
  /** Flag key → whether its rollout delivers `on` to everyone. */
  flags?: Record<string, boolean>;
  /** Pad with an extra attribute until the file is at least this many bytes. */
  padTo?: number;
}

export const PROJECT_ID = '5088239376138240';

export function makeDatafile(f: DatafileFixture): string {
  const flags = Object.entries(f.flags ?? { flag_1: true });
  const doc: Record<string, unknown> = {
    version: f.version ?? '4',
    revision: String(f.revision),
    projectId: f.projectId ?? PROJECT_ID,
    accountId: '24535200037',
    sdkKey: f.sdkKey ?? 'sdk_key',
    environmentKey: f.environmentKey ?? 'production',
    anonymizeIP: true,
    botFiltering: false,
    attributes: [],
    audiences: [],
    typedAudiences: [],
    events: [],
    groups: [],
    experiments: [],
    integrations: [],
    variables: [],
    featureFlags: flags.map(([key], i) => ({ id: String(1000 + i), key, rolloutId: `r${i}`, experimentIds: [], variables: [] })),
    rollouts: flags.map(([key, on], i) => ({
      id: `r${i}`,
      experiments: [
        {
          id: String(2000 + i),
          key: `${key}_everyone`,
          status: 'Running',
          layerId: `r${i}`,
          audienceIds: [],
          audienceConditions: [],
          forcedVariations: {},
          variations: [{ id: String(3000 + i), key: on ? 'on' : 'off', featureEnabled: on, variables: [] }],
          trafficAllocation: [{ entityId: String(3000 + i), endOfRange: 10000 }],
        },
      ],
    })),
  };
  let text = JSON.stringify(doc);
  if (f.padTo && text.length < f.padTo) {
    doc.padding = 'x'.repeat(f.padTo - text.length);
    text = JSON.stringify(doc);
  }
  return text;
}
