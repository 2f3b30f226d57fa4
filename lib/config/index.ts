import type { FetchPolicy } from '../datafile/fetch';
import { DEFAULT_ALLOWED_HOSTS } from '../datafile/hosts';
import { ConfigError } from '../errors';
import { type DatafileBases, DEFAULT_DATAFILE_BASES } from '../layout';
import { type LogLevel, registerSecret } from '../log';
import { type ProjectsConfig, parseProjectsConfig } from './projects';

export type { DatafileBases } from '../layout';
export { hasAccessToken, type ProjectSettings, type ProjectsConfig, parseProjectsConfig } from './projects';
export { cachedProjects, type ProjectsSource, staticProjects } from './projects-source';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Where the projects/secrets configuration comes from. An SSM parameter is re-read after `ttlMs`
 * (`PROJECTS_CONFIG_TTL_SECONDS`, default 300), so a secret removed from it stops working in every
 * warm container within that time.
 */
export type ProjectsSetting = { kind: 'ssm'; parameter: string; ttlMs: number } | { kind: 'static'; config: ProjectsConfig };

export interface WebhookConfig {
  table: string;
  bucket: string;
  projects: ProjectsSetting;
  fetch: FetchPolicy;
  /** EventBridge bus for change events (`EVENT_BUS_NAME`); absent = publishing disabled. */
  eventBusName?: string;
  /** `LOG_LEVEL`: debug, info (default), warn or error. */
  logLevel?: LogLevel;
  /**
   * One deadline for a whole webhook (`WEBHOOK_DEADLINE_MS`, default 25 000): past it the answer is
   * `503 deadline_exceeded` (safe to redeliver), before the function's 28 s timeout and API
   * Gateway's 29 s.
   */
  deadlineMs?: number;
  /**
   * The SDK mirror (`MIRROR_ENABLED`, set by the stack param `mirrorEnabled`): a copy of each
   * non-secure key's pointer bytes at `mirror/datafiles/{key}.json`, served with
   * `Cache-Control: max-age=MIRROR_MAX_AGE_SECONDS` (default 1).
   */
  mirror?: { maxAgeSeconds: number };
}

export interface ReconcileConfig extends WebhookConfig {
  bases: DatafileBases;
  /** Keys synced at the same time (`RECONCILE_CONCURRENCY`, default 4). */
  concurrency: number;
  /**
   * Stop starting keys after this long (`RECONCILE_BUDGET_MS`, default 240 000, inside the
   * function's 300 s timeout); the keys not reached go first in the next run.
   */
  budgetMs?: number;
}

/**
 * Read and check the webhook function's environment once, at cold start. A missing or malformed
 * variable fails here with a message naming it.
 *
 * Projects come from (first match): `SYNC_CONFIG_PARAMETER` (SSM SecureString name, deployed),
 * `SYNC_PROJECTS` (the same JSON inline, local), or `WEBHOOK_SECRET` (local stack: one secret
 * accepted for any project id).
 */
export function loadWebhookConfig(env: Env = process.env): WebhookConfig {
  return {
    table: required(env, 'DATAFILE_TABLE'),
    bucket: required(env, 'DATAFILE_BUCKET'),
    projects: projectsSetting(env),
    fetch: fetchPolicy(env),
    eventBusName: env.EVENT_BUS_NAME?.trim() || undefined,
    logLevel: logLevel(env),
    deadlineMs: int(env, 'WEBHOOK_DEADLINE_MS', 25_000),
    mirror: mirrorSetting(env),
  };
}

function mirrorSetting(env: Env): { maxAgeSeconds: number } | undefined {
  return flag(env, 'MIRROR_ENABLED') ? { maxAgeSeconds: int(env, 'MIRROR_MAX_AGE_SECONDS', 1) } : undefined;
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function logLevel(env: Env): LogLevel {
  const raw = env.LOG_LEVEL?.trim().toLowerCase();
  if (!raw) return 'info';
  if (!LOG_LEVELS.includes(raw as LogLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${raw}".`);
  return raw as LogLevel;
}

/** The reconcile function's environment: the webhook's, plus the datafile base URLs. */
export function loadReconcileConfig(env: Env = process.env): ReconcileConfig {
  return {
    ...loadWebhookConfig(env),
    bases: datafileBases(env),
    concurrency: Math.max(1, int(env, 'RECONCILE_CONCURRENCY', 4)),
    budgetMs: int(env, 'RECONCILE_BUDGET_MS', 240_000),
  };
}

/** The rollback function's environment: stores, bus, and which alarms roll back how recent moves. */
export interface RollbackConfig {
  table: string;
  bucket: string;
  eventBusName?: string;
  logLevel?: LogLevel;
  /** `ROLLBACK_ALARM_NAMES`, comma-separated; empty = every alarm event is ignored (feature off). */
  alarmNames: string[];
  /** `ROLLBACK_BAKE_SECONDS` (default 600): a move this recent before an alarm is rolled back. */
  bakeSeconds: number;
  /** The SDK mirror follows a rollback like any move (`MIRROR_ENABLED`). */
  mirror?: { maxAgeSeconds: number };
  /**
   * The projects configuration, read only for which keys have an access token: their mirror copy is
   * removed, never re-published by a rollback. Required with the mirror; absent (tests) = the
   * mirror goes by what history recorded (lib/mirror/publish.ts).
   */
  projects?: ProjectsSetting;
}

/**
 * The projects configuration is read only to keep secure keys out of the SDK mirror, so only with
 * `MIRROR_ENABLED`: a rollback otherwise re-points at revisions already stored and needs none.
 */
export function loadRollbackConfig(env: Env = process.env): RollbackConfig {
  const bakeSeconds = int(env, 'ROLLBACK_BAKE_SECONDS', 600);
  if (bakeSeconds < 1) throw new ConfigError('ROLLBACK_BAKE_SECONDS must be at least 1.');
  const mirror = mirrorSetting(env);
  return {
    table: required(env, 'DATAFILE_TABLE'),
    bucket: required(env, 'DATAFILE_BUCKET'),
    eventBusName: env.EVENT_BUS_NAME?.trim() || undefined,
    logLevel: logLevel(env),
    alarmNames: (env.ROLLBACK_ALARM_NAMES ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean),
    bakeSeconds,
    mirror,
    ...(mirror ? { projects: projectsSetting(env) } : {}),
  };
}

export function datafileBases(env: Env): DatafileBases {
  return {
    origin: baseUrl(env, 'DATAFILE_ORIGIN_BASE_URL', DEFAULT_DATAFILE_BASES.origin),
    cdn: baseUrl(env, 'DATAFILE_CDN_BASE_URL', DEFAULT_DATAFILE_BASES.cdn),
    auth: baseUrl(env, 'DATAFILE_AUTH_BASE_URL', DEFAULT_DATAFILE_BASES.auth),
  };
}

function baseUrl(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, got "${raw}".`);
  }
  return raw.replace(/\/+$/, '');
}

function projectsSetting(env: Env): ProjectsSetting {
  if (env.SYNC_CONFIG_PARAMETER) {
    return { kind: 'ssm', parameter: env.SYNC_CONFIG_PARAMETER, ttlMs: int(env, 'PROJECTS_CONFIG_TTL_SECONDS', 300) * 1000 };
  }
  if (env.SYNC_PROJECTS) return { kind: 'static', config: parseProjectsConfig(env.SYNC_PROJECTS, 'SYNC_PROJECTS') };
  if (env.WEBHOOK_SECRET) {
    if (env.WEBHOOK_SECRET.length < 8) throw new ConfigError('WEBHOOK_SECRET must be at least 8 characters.');
    registerSecret(env.WEBHOOK_SECRET);
    return { kind: 'static', config: new Map([['*', { secrets: [env.WEBHOOK_SECRET], accessTokens: new Map() }]]) };
  }
  throw new ConfigError('Set SYNC_CONFIG_PARAMETER (deployed), SYNC_PROJECTS or WEBHOOK_SECRET (local).');
}

export function fetchPolicy(env: Env): FetchPolicy {
  const hosts = env.ALLOWED_HOSTS?.split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  return {
    allowedHosts: hosts && hosts.length > 0 ? hosts : DEFAULT_ALLOWED_HOSTS,
    allowLoopback: flag(env, 'ALLOW_LOOPBACK'),
    maxBytes: int(env, 'MAX_DATAFILE_BYTES', 20 * 1024 * 1024),
    connectTimeoutMs: int(env, 'FETCH_CONNECT_TIMEOUT_MS', 3_000),
    attemptTimeoutMs: int(env, 'FETCH_ATTEMPT_TIMEOUT_MS', 8_000),
    budgetMs: int(env, 'FETCH_BUDGET_MS', 18_000),
    baseDelayMs: int(env, 'FETCH_BASE_DELAY_MS', 250),
    maxDelayMs: int(env, 'FETCH_MAX_DELAY_MS', 4_000),
    maxRedirects: int(env, 'FETCH_MAX_REDIRECTS', 3),
  };
}

export function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`${name} is required.`);
  return value;
}

export function int(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a non-negative integer, got "${raw}".`);
  return Number(raw);
}

export function flag(env: Env, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(`${name} must be true or false, got "${raw}".`);
}
