import { DatafileSyncError, describeError } from '../errors';
import type { Logger } from '../log';
import type { ProjectsConfig } from './projects';

/**
 * Where the projects configuration comes from. `current()` answers from memory while the loaded
 * config is younger than its time to live; `refresh()` re-reads it early (a signature failure may
 * mean a rotated secret) but never more than once per `minRefreshMs`.
 */
export interface ProjectsSource {
  current(): Promise<ProjectsConfig>;
  /** Re-read now if allowed; resolves to the config in force afterwards, or undefined when rate-limited. */
  refresh(): Promise<ProjectsConfig | undefined>;
}

/** A fixed configuration (environment variables, tests). */
export function staticProjects(config: ProjectsConfig): ProjectsSource {
  return { current: async () => config, refresh: async () => undefined };
}

export interface CachedProjectsOptions {
  /** How long a loaded config is used before it is re-read (`PROJECTS_CONFIG_TTL_SECONDS`, default 5 min). */
  ttlMs?: number;
  /** Minimum time between two reads, whatever asks for them (default one minute). */
  minRefreshMs?: number;
  logger?: Logger;
  now?: () => number;
}

/**
 * Wrap a loader (an SSM read) with the cache the webhook needs:
 * - a config has a time to live, so a secret removed from SSM stops working within it in every
 *   warm container, even if whoever holds it never fails a signature;
 * - a refresh that fails (SSM down, a bad edit) keeps the last good config and is retried later;
 *   only a container that never loaded one answers `config_unavailable`;
 * - at most one read per `minRefreshMs`, however many unsigned requests ask for one, and one
 *   read in flight at a time.
 */
export function cachedProjects(load: () => Promise<ProjectsConfig>, options: CachedProjectsOptions = {}): ProjectsSource {
  const ttlMs = options.ttlMs ?? 300_000;
  const minRefreshMs = options.minRefreshMs ?? 60_000;
  const now = options.now ?? Date.now;
  let good: { config: ProjectsConfig; loadedAt: number } | undefined;
  let lastAttempt = Number.NEGATIVE_INFINITY;
  let inflight: Promise<ProjectsConfig> | undefined;

  const reload = (): Promise<ProjectsConfig> => {
    inflight ??= (async () => {
      lastAttempt = now();
      try {
        const config = await load();
        good = { config, loadedAt: now() };
        return config;
      } catch (error) {
        if (!good) throw unavailable(error);
        options.logger?.error('projects config refresh failed; keeping the last good one', { error: describeError(error) });
        return good.config;
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  };
  const mayRead = () => now() - lastAttempt >= minRefreshMs;

  return {
    current: async () => {
      if (good && now() - good.loadedAt < ttlMs) return good.config;
      if (good && !mayRead()) return good.config;
      if (!good && inflight === undefined && !mayRead()) throw unavailable(undefined);
      return reload();
    },
    refresh: async () => (mayRead() ? reload() : undefined),
  };
}

/** Never names the parameter or the AWS error class: a caller may be unauthenticated. The log has both. */
function unavailable(cause: unknown): DatafileSyncError {
  return new DatafileSyncError('config_unavailable', 'The projects configuration is unavailable; try again later.', { cause });
}
