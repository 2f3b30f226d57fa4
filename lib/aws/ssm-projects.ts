import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ConfigError, DatafileSyncError } from '../errors';
import { cachedProjects, type ProjectsSource, parseProjectsConfig } from '../webhook/projects';

/**
 * Projects configuration from an SSM Parameter Store SecureString: loaded once per container,
 * re-read at most once a minute after a signature failure (so a rotated secret works without a
 * redeploy).
 */
export function ssmProjects(parameter: string, client: SSMClient = new SSMClient({}), minRefreshMs = 60_000): ProjectsSource {
  return cachedProjects(async () => {
    let value: string | undefined;
    try {
      const out = await client.send(new GetParameterCommand({ Name: parameter, WithDecryption: true }));
      value = out.Parameter?.Value;
    } catch (e) {
      throw new DatafileSyncError('config_unavailable', `Could not read SSM parameter ${parameter} (${(e as Error).name}).`, 503, {
        cause: e,
      });
    }
    if (!value) throw new ConfigError(`SSM parameter ${parameter} is empty.`);
    return parseProjectsConfig(value, `SSM parameter ${parameter}`);
  }, minRefreshMs);
}
