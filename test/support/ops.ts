import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { createReconcileApp, createWebhookApp, type WebhookAppOverrides } from '../../lib/app';
import { awsClient } from '../../lib/aws/clients';
import { runCli } from '../../lib/cli/main';
import type { DatafileBases, ReconcileConfig, WebhookConfig } from '../../lib/config';
import { parseProjectsConfig } from '../../lib/config';
import type { FetchPolicy } from '../../lib/datafile/fetch';
import { datafilePath } from '../../lib/layout';
import { createLogger, type Logger } from '../../lib/log';
import { type LocalEventBridge, startLocalEventBridge } from '../../local/eventbridge';
import { body, type LocalOrigin, startOrigin } from '../../local/origin';
import { makeDatafile, PROJECT_ID } from './datafiles';
import { freshStores, type TestStores } from './stores';
import { httpApiEvent, payload, SECRET } from './webhooks';

/** Shared wiring for the operations tests (events, pin, reconcile, CLI): real stores, origin and bus. */
export const BUS = 'test-bus';

/** A fetch policy for the local origin: loopback allowed, short timeouts (override any field). */
export function fetchPolicyFor(origin: LocalOrigin, overrides: Partial<FetchPolicy> = {}): FetchPolicy {
  return {
    allowedHosts: [`127.0.0.1:${origin.port}`],
    allowLoopback: true,
    maxBytes: 1024 * 1024,
    connectTimeoutMs: 1000,
    attemptTimeoutMs: 1000,
    budgetMs: 1500,
    baseDelayMs: 5,
    maxDelayMs: 50,
    maxRedirects: 3,
    ...overrides,
  };
}

/** The default test project: PROJECT_ID signed with SECRET (plus a secure-environment token). */
export const TEST_PROJECTS = { projects: { [PROJECT_ID]: { secrets: [SECRET], accessTokens: { secure_key: 'token-zyxwvutsrq' } } } };

/** A webhook config for the test stores with a static projects document. */
export function testWebhookConfig(stores: TestStores, fetch: FetchPolicy, projects: object = TEST_PROJECTS): WebhookConfig {
  return {
    table: stores.table,
    bucket: stores.bucket,
    projects: { kind: 'static', config: parseProjectsConfig(JSON.stringify(projects), 'test') },
    fetch,
  };
}

export function basesFor(origin: LocalOrigin): DatafileBases {
  return { origin: origin.url, cdn: `${origin.url}/cdn`, auth: `${origin.url}/auth` };
}

export function busClient(bus: LocalEventBridge): EventBridgeClient {
  return awsClient(EventBridgeClient, {
    endpoint: bus.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // Slack, as for the test stores (test/support/stores.ts): a slow shared machine is not a stalled bus.
    requestTimeoutMs: 60_000,
    connectionTimeoutMs: 10_000,
  });
}

/** A logger that keeps every line (message + fields) in `lines`. */
export function captureLogger(lines: Record<string, unknown>[]): Logger {
  const keep = (level: string) => (m: string, f?: object) => lines.push({ level, m, ...f });
  return { ...createLogger(), debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
}

export interface OpsEnv {
  stores: TestStores;
  origin: LocalOrigin;
  bus?: LocalEventBridge;
  logs: Record<string, unknown>[];
}

/** Fresh stores, a local origin and a local EventBridge for one test; `close()` stops the servers. */
export async function startOpsEnv(): Promise<OpsEnv & { bus: LocalEventBridge; close(): Promise<void> }> {
  const [origin, bus, stores] = await Promise.all([startOrigin(), startLocalEventBridge(), freshStores()]);
  return { stores, origin, bus, logs: [], close: async () => void (await Promise.all([origin.close(), bus.close()])) };
}

function config(env: OpsEnv): WebhookConfig {
  return { ...testWebhookConfig(env.stores, fetchPolicyFor(env.origin)), eventBusName: env.bus ? BUS : undefined };
}

/** The app overrides every ops test uses: the env's clients, a captured log, no waiting between retries. */
export function opsOverrides(env: OpsEnv, extra: WebhookAppOverrides = {}): WebhookAppOverrides {
  return {
    s3: env.stores.s3,
    dynamo: env.stores.dynamo,
    events: env.bus ? busClient(env.bus) : undefined,
    logger: captureLogger(env.logs),
    notifyOptions: { sleep: async () => undefined },
    ...extra,
  };
}

export function webhookApp(env: OpsEnv, extra: WebhookAppOverrides = {}) {
  return createWebhookApp(config(env), opsOverrides(env, extra));
}

export function reconcileApp(env: OpsEnv, extra: WebhookAppOverrides = {}, tuning: Partial<ReconcileConfig> = {}) {
  return createReconcileApp({ ...config(env), bases: basesFor(env.origin), concurrency: 2, ...tuning }, opsOverrides(env, extra));
}

/** Serve `revision` for `key` at both the origin and the CDN path of the local origin. */
export function serveRevision(origin: LocalOrigin, revision: number, key = 'sdk_key'): string {
  const text = makeDatafile({ revision, sdkKey: key });
  origin.serve(datafilePath(key), body(text));
  origin.serve(`/cdn${datafilePath(key)}`, body(text));
  return text;
}

/** Deliver a signed webhook for `revision` of `key` (served first) and return the parsed answer. */
export async function deliver(env: OpsEnv, revision: number, key = 'sdk_key', extra: WebhookAppOverrides = {}) {
  serveRevision(env.origin, revision, key);
  const res = await webhookApp(env, extra)(httpApiEvent(payload({ revision, key, origin: env.origin.url })));
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
}

/** Run the CLI in-process against the env's stores; capture stdout, stderr and the exit code. */
export async function cli(env: OpsEnv, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    ['--table', env.stores.table, '--bucket', env.stores.bucket, '--bus', BUS, ...argv],
    { out: (l) => out.push(l), err: (l) => err.push(l), env: {} },
    { dynamo: env.stores.dynamo, s3: env.stores.s3, events: env.bus ? busClient(env.bus) : undefined },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}
