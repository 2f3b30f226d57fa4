import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DatafileSyncError } from '../errors';
import { cachedProjects, type ProjectsSource, parseProjectsConfig } from '../webhook/projects';

export interface SsmProjectsOptions {
  client?: SSMClient;
  /** Minimum time between re-reads triggered by signature failures (default one minute). */
  minRefreshMs?: number;
  now?: () => number;
}

/**
 * Projects configuration from an SSM Parameter Store SecureString: loaded once per container,
 * re-read at most once a minute after a signature failure (so a rotated secret works without a
 * redeploy, and a flood of bad signatures cannot become a flood of SSM reads).
 */
export function ssmProjects(parameter: string, options: SsmProjectsOptions = {}): ProjectsSource {
  const client = options.client ?? new SSMClient({});
  return cachedProjects(
    async () => {
      let value: string | undefined;
      try {
        const out = await client.send(new GetParameterCommand({ Name: parameter, WithDecryption: true }));
        value = out.Parameter?.Value;
      } catch (e) {
        throw new DatafileSyncError('config_unavailable', `Could not read SSM parameter ${parameter} (${(e as Error).name}).`, {
          cause: e,
        });
      }
      if (!value) throw new DatafileSyncError('config_unavailable', `SSM parameter ${parameter} is empty.`);
      return parseProjectsConfig(value, `SSM parameter ${parameter}`);
    },
    options.minRefreshMs ?? 60_000,
    options.now,
  );
}
