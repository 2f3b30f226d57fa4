import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { parseProjectsConfig } from '../config/projects';
import { type CachedProjectsOptions, cachedProjects, type ProjectsSource } from '../config/projects-source';
import { DatafileSyncError } from '../errors';

/**
 * Projects configuration from an SSM Parameter Store SecureString, cached per container: re-read
 * after its time to live, early after a signature failure (a rotated secret works without a
 * redeploy), never more than once a minute, keeping the last good config when a read fails. The
 * errors name the parameter and the AWS error for the log; callers only ever see a generic
 * `config_unavailable`.
 */
export function ssmProjects(parameter: string, client: SSMClient, options: CachedProjectsOptions = {}): ProjectsSource {
  return cachedProjects(async () => {
    let value: string | undefined;
    try {
      const out = await client.send(new GetParameterCommand({ Name: parameter, WithDecryption: true }));
      value = out.Parameter?.Value;
    } catch (e) {
      throw new DatafileSyncError('config_unavailable', `Could not read SSM parameter ${parameter} (${(e as Error).name}).`, { cause: e });
    }
    if (!value) throw new DatafileSyncError('config_unavailable', `SSM parameter ${parameter} is empty.`);
    return parseProjectsConfig(value, `SSM parameter ${parameter}`);
  }, options);
}
