import { type Guardrails, parseGuardrails } from '../changes';
import { ConfigError } from '../errors';
import { registerSecret } from '../log';

/** What one Optimizely project may do against this deployment. */
export interface ProjectSettings {
  /** Active webhook secrets; more than one during a rotation. */
  secrets: readonly string[];
  /** Environment display names accepted (e.g. `Production`); absent = all. */
  environments?: readonly string[];
  /**
   * Datafile access tokens for secure environments, by SDK key. A Map, not an object: an SDK key is
   * attacker-chosen text (`constructor`, `__proto__`), and an object lookup would find inherited members.
   */
  accessTokens: ReadonlyMap<string, string>;
  /** What a revision must pass to go live (lib/changes); absent = only the SDK check. */
  guardrails?: Guardrails;
}

/** Project id → settings. The id `*` (local stack only) accepts any project. */
export type ProjectsConfig = ReadonlyMap<string, ProjectSettings>;

/**
 * Parse the JSON document that configures projects (SSM parameter or `SYNC_PROJECTS`):
 * `{"projects":{"1234":{"secrets":["…"],"environments":["Production"],"accessTokens":{"SDK_KEY":"…"},"guardrails":{…}}}}`.
 * Bad guardrails are refused here, at load, naming the field (`…: project 1234 guardrails.maxBytes must be …`).
 * Every secret and token is registered with the logger so it can never be printed.
 */
export function parseProjectsConfig(json: string, source: string): ProjectsConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    throw new ConfigError(`${source} is not valid JSON.`);
  }
  const projects = (doc as { projects?: unknown } | null)?.projects;
  if (!projects || typeof projects !== 'object' || Array.isArray(projects)) {
    throw new ConfigError(`${source} must be an object with a "projects" object.`);
  }
  const out = new Map<string, ProjectSettings>();
  for (const [id, raw] of Object.entries(projects as Record<string, unknown>)) {
    if (id !== '*' && !/^\d+$/.test(id)) throw new ConfigError(`${source}: project id "${id}" must be digits.`);
    const p = (raw ?? {}) as Record<string, unknown>;
    const secrets = p.secrets;
    if (!Array.isArray(secrets) || secrets.length === 0 || !secrets.every((s) => typeof s === 'string' && s.length >= 8)) {
      throw new ConfigError(`${source}: project ${id} needs "secrets", a list of strings of at least 8 characters.`);
    }
    const environments = p.environments;
    if (environments !== undefined && !(Array.isArray(environments) && environments.every((e) => typeof e === 'string'))) {
      throw new ConfigError(`${source}: project ${id} "environments" must be a list of names.`);
    }
    const tokens = (p.accessTokens ?? {}) as Record<string, unknown>;
    // Visible ASCII only: a token goes into an Authorization header, where a newline would throw.
    if (
      typeof tokens !== 'object' ||
      Array.isArray(tokens) ||
      !Object.values(tokens).every((t) => typeof t === 'string' && /^[\x21-\x7e]+$/.test(t))
    ) {
      throw new ConfigError(`${source}: project ${id} "accessTokens" must map SDK keys to tokens (visible ASCII, no spaces).`);
    }
    const guardrails = p.guardrails === undefined ? undefined : parseGuardrails(p.guardrails, `${source}: project ${id}`);
    for (const s of secrets as string[]) registerSecret(s);
    for (const t of Object.values(tokens) as string[]) registerSecret(t);
    out.set(id, {
      secrets: secrets as string[],
      environments: environments as string[] | undefined,
      accessTokens: new Map(Object.entries(tokens as Record<string, string>)),
      ...(guardrails ? { guardrails } : {}),
    });
  }
  return out;
}

/**
 * Whether a key has a datafile access token in any project (a secure environment). SDK keys are
 * unique across projects, so a caller that does not know the key's project (a rollback) asks them all.
 */
export function hasAccessToken(config: ProjectsConfig, key: string): boolean {
  for (const project of config.values()) if (project.accessTokens.has(key)) return true;
  return false;
}
