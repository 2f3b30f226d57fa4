import { createReconcileApp, createWebhookApp } from '../../lib/app';
import { datafilePath } from '../../lib/layout';
import { body } from '../../local/origin';
import { buildDatafile, type DatafileSpec } from './datafile-builders';
import { PROJECT_ID } from './datafiles';
import { BUS, basesFor, busClient, captureLogger, fetchPolicyFor, type startOpsEnv, testWebhookConfig } from './ops';

export { cli } from './ops';

import { httpApiEvent, payload, SECRET } from './webhooks';

/** Helpers of the change-safety tests: a project with guardrails, datafiles from specs, the CLI. */
export type Env = Awaited<ReturnType<typeof startOpsEnv>>;

export function projectsWith(guardrails?: object): object {
  return { projects: { [PROJECT_ID]: { secrets: [SECRET], ...(guardrails ? { guardrails } : {}) } } };
}

function parts(env: Env, guardrails?: object) {
  const config = { ...testWebhookConfig(env.stores, fetchPolicyFor(env.origin), projectsWith(guardrails)), eventBusName: BUS };
  const overrides = {
    s3: env.stores.s3,
    dynamo: env.stores.dynamo,
    events: busClient(env.bus),
    logger: captureLogger(env.logs),
    notifyOptions: { sleep: async () => undefined },
  };
  return { config, overrides };
}

/** The real webhook app for a project with these guardrails (one app = one warm container). */
export function guardedApp(env: Env, guardrails?: object) {
  const { config, overrides } = parts(env, guardrails);
  const handler = createWebhookApp(config, overrides);
  return async (spec: DatafileSpec & { revision: number }, key = 'sdk_key', raw?: string) => {
    const text = serve(env, spec, key, raw);
    const res = await handler(httpApiEvent(payload({ revision: spec.revision, key, origin: env.origin.url })));
    return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown>, text };
  };
}

export function guardedReconcile(env: Env, guardrails?: object) {
  const { config, overrides } = parts(env, guardrails);
  return createReconcileApp({ ...config, bases: basesFor(env.origin), concurrency: 1 }, overrides);
}

/**
 * Serve the datafile of `spec` for `key` at the origin and CDN paths; returns its text. `raw` serves
 * that text instead, for datafiles JSON.stringify cannot write (nested deeper than its stack allows).
 */
export function serve(env: Env, spec: DatafileSpec & { revision: number }, key = 'sdk_key', raw?: string): string {
  const text = raw ?? JSON.stringify(buildDatafile(spec));
  env.origin.serve(datafilePath(key), body(text));
  env.origin.serve(`/cdn${datafilePath(key)}`, body(text));
  return text;
}
