import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { clientConfig } from './clients';

/** The CLI's client (doctor): the shared configuration, so a stalled endpoint costs seconds, not forever. */
export function defaultSsmClient(region?: string): SSMClient {
  return new SSMClient(clientConfig({ region }));
}

/**
 * One parameter's decrypted value, read once (the operator's `doctor` check; the webhook's cached,
 * rate-limited reader is lib/aws/ssm-projects.ts). Undefined when the parameter does not exist;
 * any other failure (access denied, KMS) is thrown for the caller to name.
 */
export async function readParameter(client: SSMClient, name: string): Promise<string | undefined> {
  try {
    const out = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    return out.Parameter?.Value ?? '';
  } catch (e) {
    if ((e as { name?: string }).name === 'ParameterNotFound') return undefined;
    throw e;
  }
}
