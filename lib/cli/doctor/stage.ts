import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SSMClient } from '@aws-sdk/client-ssm';
import {
  defaultConfigParameter,
  describeStack,
  describeStackResource,
  MIRROR_RESOURCE_ID,
  MIRROR_STACK_OUTPUTS,
  READER_POLICY_ID,
  STACK_OUTPUTS,
  type StackFacts,
  stackName,
} from '../../aws/stack';
import { checkParameter } from './config';
import { probeWebhook } from './probe';
import { type CheckResult, fail, failed, pass, skip } from './report';
import { checkBucket, checkPointers, checkTable } from './stores';

export interface StageContext {
  stage: string;
  /** --region as given (for the fix commands); the clients already carry it. */
  region?: string;
  cloudformation: CloudFormationClient;
  ssm: SSMClient;
  dynamo: DynamoDBClient;
  s3: S3Client;
  now: Date;
  secrets: Set<string>;
}

// A stack mid-update or rolled back is not the stack that was just deployed.
const SETTLED = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE']);

/** Every check against a deployed stage, in the order an operator would fix them. */
export async function stageChecks(ctx: StageContext): Promise<CheckResult[]> {
  const name = stackName(ctx.stage);
  const deploy = `npx serverless deploy --stage ${ctx.stage}${ctx.region ? ` --region ${ctx.region}` : ''}`;
  const events = `aws cloudformation describe-stack-events --stack-name ${name}`;
  let stack: StackFacts | undefined;
  let stackResult: CheckResult;
  try {
    stack = await describeStack(ctx.cloudformation, name);
    stackResult = stack ? await judgeStack(ctx, name, stack, deploy, events) : await missingStack(ctx, name, deploy);
  } catch (e) {
    stackResult = failed(
      'stack',
      `describe stack ${name}`,
      e,
      'check your credentials and --region (they need cloudformation:DescribeStacks)',
    );
  }
  const outputs = stack?.outputs ?? {};
  const without = (output: string) => (stack ? `the stack has no ${output} output` : 'needs the stack');
  const named = {
    missing: `the stack output names it, but it is not in this account and region: check --region and your credentials, or ${deploy}`,
    access: 'check your credentials and --region (doctor needs dynamodb:DescribeTable/Scan and s3:ListBucket)',
  };
  const results = [stackResult];
  results.push(await checkParameter(ctx.ssm, outputs.ConfigParameterName ?? defaultConfigParameter(ctx.stage), ctx.secrets));
  const log = `the function log: aws logs tail /aws/lambda/${name}-webhook --since 15m`;
  results.push(
    outputs.WebhookUrl
      ? await probeWebhook(outputs.WebhookUrl, {
          log,
          down: `the URL is wrong or the API is gone: use this stage's WebhookUrl output, or ${deploy}`,
        })
      : skip('webhook', without('WebhookUrl')),
  );
  const table = outputs.DatafileTableName;
  const tableResult = table ? await checkTable(ctx.dynamo, table, named) : skip('table', without('DatafileTableName'));
  results.push(tableResult);
  const bucket = outputs.DatafileBucketName;
  results.push(bucket ? await checkBucket(ctx.s3, bucket, named) : skip('bucket', without('DatafileBucketName')));
  const listAll = `datafile-sync status --table ${table}${ctx.region ? ` --region ${ctx.region}` : ''}`;
  results.push(
    table && tableResult.ok && !tableResult.skipped
      ? await checkPointers(ctx.dynamo, table, ctx.now, listAll)
      : skip('pointers', 'needs the table'),
  );
  results.push(
    stack ? await checkReaderPolicy(ctx, name, outputs.DatafileReaderPolicyArn, events, deploy) : skip('reader-policy', 'needs the stack'),
  );
  return results;
}

/**
 * Settled, and every output this version's template declares: infra/outputs.yml's always, and
 * infra/mirror.yml's when the stack has the mirror's distribution (they share its condition).
 */
async function judgeStack(ctx: StageContext, name: string, stack: StackFacts, deploy: string, events: string): Promise<CheckResult> {
  if (!SETTLED.has(stack.status)) {
    return fail('stack', `${name} is ${stack.status}`, `wait for the operation to finish, then see why it did not complete: ${events}`);
  }
  let mirror: boolean;
  try {
    mirror = (await describeStackResource(ctx.cloudformation, name, MIRROR_RESOURCE_ID)) !== undefined;
  } catch (e) {
    return failed(
      'stack',
      `describe ${MIRROR_RESOURCE_ID} (whether the mirror's outputs are due)`,
      e,
      'your credentials need cloudformation:DescribeStackResource',
    );
  }
  const required: readonly string[] = mirror ? [...STACK_OUTPUTS, ...MIRROR_STACK_OUTPUTS] : STACK_OUTPUTS;
  const missing = required.filter((o) => stack.outputs[o] === undefined);
  if (missing.length > 0) {
    const outputs = `${missing.join(', ')} output${missing.length === 1 ? '' : 's'}`;
    return fail('stack', `${name} ${stack.status} but has no ${outputs}`, `redeploy this version: ${deploy}`);
  }
  return pass('stack', `${name} ${stack.status}, all ${required.length} outputs present${mirror ? ' (SDK mirror on)' : ''}`);
}

async function missingStack(ctx: StageContext, name: string, deploy: string): Promise<CheckResult> {
  const region = await ctx.cloudformation.config.region().catch(() => 'this region');
  return fail(
    'stack',
    `stack ${name} not found in ${region}`,
    `deploy it (${deploy}), or pass the --region and credentials it was deployed with`,
  );
}

/**
 * The reader policy as CloudFormation knows it: checking it in IAM would need @aws-sdk/client-iam,
 * which this package does not carry; the stack resource's status and physical id say the same.
 */
async function checkReaderPolicy(
  ctx: StageContext,
  name: string,
  arn: string | undefined,
  events: string,
  deploy: string,
): Promise<CheckResult> {
  try {
    const policy = await describeStackResource(ctx.cloudformation, name, READER_POLICY_ID);
    if (!policy) return fail('reader-policy', `the stack has no ${READER_POLICY_ID} resource`, `redeploy this version: ${deploy}`);
    if (!SETTLED.has(policy.status)) return fail('reader-policy', `${READER_POLICY_ID} is ${policy.status}`, `see why: ${events}`);
    if (arn && policy.physicalId !== arn) {
      return fail(
        'reader-policy',
        `${READER_POLICY_ID} is ${policy.physicalId}, but DatafileReaderPolicyArn says ${arn}`,
        `redeploy: ${deploy}`,
      );
    }
    return pass('reader-policy', `${READER_POLICY_ID} ${policy.status}: ${policy.physicalId ?? arn ?? ''}`.trimEnd());
  } catch (e) {
    return failed('reader-policy', `describe ${READER_POLICY_ID}`, e, 'your credentials need cloudformation:DescribeStackResource');
  }
}
