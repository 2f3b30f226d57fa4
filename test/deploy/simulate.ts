import { runSimulation } from '@cloud-copilot/iam-simulate';
import { ACCOUNT, type AwsCall, arn, REGION } from '../support/aws-calls';
import { resolveIntrinsics } from './resolve';
import { resource } from './stack';
import { type Statement, type Template, toArray } from './template';

/** The concrete names a template's references stand for in one test run. */
export function testRefs(names: { table: string; bucket: string; service: string; stage: string }): Record<string, string> {
  const logGroup = (fn: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${names.service}-${names.stage}-${fn}:*`;
  return {
    'AWS::Partition': 'aws',
    'AWS::Region': REGION,
    'AWS::AccountId': ACCOUNT,
    'AWS::URLSuffix': 'amazonaws.com',
    DatafileTable: names.table,
    'DatafileTable.Arn': arn.table(names.table),
    DatafileBucket: names.bucket,
    'DatafileBucket.Arn': arn.bucket(names.bucket),
    'WebhookLogGroup.Arn': logGroup('webhook'),
    'ReconcileLogGroup.Arn': logGroup('reconcile'),
    'RollbackLogGroup.Arn': logGroup('rollback'),
  };
}

/** The Allow/Deny statements of a role's inline policies or of a managed policy, references resolved. */
export function identityStatements(template: Template, id: string, refs: Record<string, string>): Statement[] {
  const p = resource(template, id).Properties ?? {};
  const documents = p.PolicyDocument
    ? [p.PolicyDocument]
    : toArray(p.Policies as Array<{ PolicyDocument: unknown }>).map((x) => x.PolicyDocument);
  const statements = documents.flatMap((d) => toArray((d as { Statement: Statement | Statement[] }).Statement));
  return resolveIntrinsics(statements, refs) as Statement[];
}

/** The bucket policy of the datafile bucket, resolved: S3 calls are evaluated against it too. */
export function bucketPolicy(template: Template, refs: Record<string, string>): unknown {
  return resolveIntrinsics(resource(template, 'DatafileBucketPolicy').Properties?.PolicyDocument, refs);
}

/**
 * Whether IAM allows `call` for a role holding `statements` (and, for S3, under the bucket policy),
 * over TLS as the SDK always sends. Returns the simulator's verdict, or its validation errors (an
 * action that does not exist, a resource of the wrong type) as text.
 */
export async function simulate(call: AwsCall, statements: Statement[], s3BucketPolicy?: unknown): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${ACCOUNT}:role/${call.caller}`,
        action: call.action,
        resource: { resource: call.resource, accountId: ACCOUNT },
        contextVariables: { 'aws:SecureTransport': 'true', ...call.context },
      },
      identityPolicies: [{ name: call.caller, policy: { Version: '2012-10-17', Statement: statements } }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: call.service === 's3' ? s3BucketPolicy : undefined,
    },
    {},
  );
  if (result.resultType === 'error') return `error: ${JSON.stringify(result.errors)}`;
  return result.overallResult;
}

/** Actions the Lambda runtime uses on the function's behalf (its logs), not the code: never recorded. */
export const RUNTIME_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];

/**
 * Every (statement, action) pair of `statements` that no recorded call needs: for each, the calls
 * with that action are simulated against that statement alone; none allowed → the grant is unused.
 */
export async function unusedGrants(statements: Statement[], calls: AwsCall[]): Promise<string[]> {
  const unused: string[] = [];
  for (const [i, statement] of statements.entries()) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of toArray(statement.Action)) {
      if (RUNTIME_ACTIONS.includes(action)) continue;
      const candidates = calls.filter((c) => c.action === action);
      let used = false;
      for (const call of candidates) {
        if ((await simulate(call, [statement])) === 'Allowed') {
          used = true;
          break;
        }
      }
      if (!used) unused.push(`${statement.Sid ?? i}: ${action} on ${JSON.stringify(statement.Resource)}`);
    }
  }
  return unused;
}
