import { CloudFormationClient, DescribeStackResourceCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { clientConfig } from './clients';

/** The CloudFormation stack `serverless deploy --stage <stage>` creates (serverless.yml `service`). */
export function stackName(stage: string): string {
  return `optimizely-datafile-sync-${stage}`;
}

/** serverless.yml `params.default.configParameter`: where the projects JSON lives unless overridden. */
export function defaultConfigParameter(stage: string): string {
  return `/optimizely-datafile-sync/${stage}/config`;
}

/**
 * Outputs infra/outputs.yml declares: a stack deployed from this version has every one. A stack
 * without one (ConfigParameterName included: stacks deployed before it existed lack it) was
 * deployed from another version, and redeploying adds it.
 */
export const STACK_OUTPUTS = [
  'ConfigParameterName',
  'WebhookUrl',
  'DatafileBucketName',
  'DatafileTableName',
  'DatafileReaderPolicyArn',
  'DatafileEventBusName',
  'DatafileChangeTopicArn',
] as const;

/** Outputs infra/mirror.yml declares, under its MirrorEnabled condition: required when the mirror is on. */
export const MIRROR_STACK_OUTPUTS = ['MirrorUrlTemplate', 'MirrorDistributionId'] as const;

/** Logical id of the SDK mirror's CloudFront distribution: the stack has it exactly when the mirror is on. */
export const MIRROR_RESOURCE_ID = 'MirrorDistribution';

/** Outputs a stack of this version may lack: none (kept so callers can still filter by it). */
export const OPTIONAL_STACK_OUTPUTS: readonly string[] = [];

/** Logical id of the managed policy readers attach (infra/iam.yml). */
export const READER_POLICY_ID = 'DatafileReaderPolicy';

export interface StackFacts {
  status: string;
  outputs: Record<string, string>;
}

export interface StackResourceFacts {
  status: string;
  physicalId?: string;
}

/** The CLI's client (doctor): the shared configuration, so a stalled endpoint costs seconds, not forever. */
export function defaultCloudFormationClient(region?: string): CloudFormationClient {
  return new CloudFormationClient(clientConfig({ region }));
}

/** The stack's status and outputs; undefined when no such stack exists in this account and region. */
export async function describeStack(client: CloudFormationClient, name: string): Promise<StackFacts | undefined> {
  try {
    const out = await client.send(new DescribeStacksCommand({ StackName: name }));
    const stack = out.Stacks?.[0];
    if (!stack) return undefined;
    const outputs: Record<string, string> = {};
    for (const o of stack.Outputs ?? []) if (o.OutputKey && o.OutputValue !== undefined) outputs[o.OutputKey] = o.OutputValue;
    return { status: String(stack.StackStatus ?? 'UNKNOWN'), outputs };
  } catch (e) {
    // CloudFormation has no NotFound error: a missing stack is a ValidationError saying so.
    if (isMissing(e)) return undefined;
    throw e;
  }
}

/** One resource of the stack by logical id; undefined when the stack has no such resource. */
export async function describeStackResource(
  client: CloudFormationClient,
  stack: string,
  logicalId: string,
): Promise<StackResourceFacts | undefined> {
  try {
    const out = await client.send(new DescribeStackResourceCommand({ StackName: stack, LogicalResourceId: logicalId }));
    const detail = out.StackResourceDetail;
    if (!detail) return undefined;
    return { status: String(detail.ResourceStatus ?? 'UNKNOWN'), physicalId: detail.PhysicalResourceId };
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

function isMissing(e: unknown): boolean {
  const { name, message } = (e ?? {}) as { name?: string; message?: string };
  return name === 'ValidationError' && /does not exist/i.test(message ?? '');
}
