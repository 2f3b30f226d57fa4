import type { AwsCall } from './aws-calls';

type Call = Omit<AwsCall, 'caller'>;
type Input = Record<string, unknown>;

/** The account and region every recorded ARN is built in (the IAM simulation uses the same). */
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export const arn = {
  table: (table: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${table}`,
  index: (table: string, index: string) => `${arn.table(table)}/index/${index}`,
  bucket: (bucket: string) => `arn:aws:s3:::${bucket}`,
  object: (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`,
  // A parameter named `/a/b` has the ARN `...:parameter/a/b`; one named `a` has `...:parameter/a`.
  parameter: (name: string) => (name.startsWith('arn:') ? name : `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/${name.replace(/^\//, '')}`),
  bus: (name: string | undefined) =>
    name?.startsWith('arn:') ? name : `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${name ?? 'default'}`,
};

/**
 * The IAM authorisations AWS performs for one SDK command (Service Authorization Reference):
 * HeadObject is authorised as s3:GetObject; CopyObject as s3:GetObject on the source plus
 * s3:PutObject on the target; a DynamoDB transaction has no action of its own — each item is
 * authorised by PutItem / UpdateItem / DeleteItem / ConditionCheckItem (GetItem for reads) on its
 * table; a Query or Scan of an index is authorised on the index ARN. Throws for an unmapped command.
 */
export function iamCallsFor(clientName: string, commandName: string, input: unknown, error?: unknown): Call[] {
  const name = commandName.replace(/Command$/, '');
  const i = (input ?? {}) as Input;
  const mapped =
    clientName === 'S3Client'
      ? s3Calls(name, i, error)
      : clientName === 'DynamoDBClient'
        ? dynamoCalls(name, i)
        : clientName === 'SSMClient'
          ? ssmCalls(name, i)
          : clientName === 'EventBridgeClient'
            ? eventsCalls(name, i)
            : undefined;
  if (!mapped) throw new Error(`no IAM mapping for ${clientName}.${commandName}: add it to test/support/iam-actions.ts`);
  return mapped.map((c) => ({ command: commandName, context: {}, ...c }));
}

type Grantable = Omit<Call, 'command' | 'context'> & { context?: Record<string, string> };

function s3Calls(name: string, i: Input, error: unknown): Grantable[] | undefined {
  const bucket = String(i.Bucket);
  const objectRead = (key: string, versionId: unknown): Grantable => ({
    service: 's3',
    action: versionId ? 's3:GetObjectVersion' : 's3:GetObject',
    resource: arn.object(bucket, key),
  });
  switch (name) {
    case 'GetObject':
    case 'HeadObject': {
      const read = objectRead(String(i.Key), i.VersionId);
      // S3 answers "not found" only to a caller that may list the bucket (403 otherwise); the
      // request carries no prefix, so no s3:prefix context key is present.
      return isNotFound(error) ? [read, { service: 's3', action: 's3:ListBucket', resource: arn.bucket(bucket) }] : [read];
    }
    case 'PutObject':
      return [{ service: 's3', action: 's3:PutObject', resource: arn.object(bucket, String(i.Key)) }, ...objectExtras(bucket, i)];
    case 'CopyObject': {
      const [source = '', query] = decodeURIComponent(String(i.CopySource).replace(/^\//, '')).split('?versionId=');
      const slash = source.indexOf('/');
      const from = { ...objectRead(source.slice(slash + 1), query), resource: arn.object(source.slice(0, slash), source.slice(slash + 1)) };
      return [from, { service: 's3', action: 's3:PutObject', resource: arn.object(bucket, String(i.Key)) }, ...objectExtras(bucket, i)];
    }
    case 'DeleteObject':
      return [
        { service: 's3', action: i.VersionId ? 's3:DeleteObjectVersion' : 's3:DeleteObject', resource: arn.object(bucket, String(i.Key)) },
      ];
    case 'ListObjects':
    case 'ListObjectsV2':
      return [
        {
          service: 's3',
          action: 's3:ListBucket',
          resource: arn.bucket(bucket),
          context: i.Prefix === undefined ? {} : { 's3:prefix': String(i.Prefix) },
        },
      ];
    case 'ListObjectVersions':
      return [{ service: 's3', action: 's3:ListBucketVersions', resource: arn.bucket(bucket) }];
    case 'HeadBucket':
      return [{ service: 's3', action: 's3:ListBucket', resource: arn.bucket(bucket) }];
    default:
      return undefined;
  }
}

/** An ACL or tags on a written object need their own permissions. */
function objectExtras(bucket: string, i: Input): Grantable[] {
  const resource = arn.object(bucket, String(i.Key));
  const extras: Grantable[] = [];
  if (i.ACL !== undefined) extras.push({ service: 's3', action: 's3:PutObjectAcl', resource });
  if (i.Tagging !== undefined) extras.push({ service: 's3', action: 's3:PutObjectTagging', resource });
  return extras;
}

const TRANSACT_WRITE_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

const SINGLE_TABLE = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'DescribeTable'];

function dynamoCalls(name: string, i: Input): Grantable[] | undefined {
  if (SINGLE_TABLE.includes(name)) {
    const table = String(i.TableName);
    const resource = i.IndexName === undefined ? arn.table(table) : arn.index(table, String(i.IndexName));
    return [{ service: 'dynamodb', action: `dynamodb:${name}`, resource }];
  }
  if (name === 'BatchGetItem' || name === 'BatchWriteItem') {
    return Object.keys((i.RequestItems ?? {}) as Input).map((table) => ({
      service: 'dynamodb',
      action: `dynamodb:${name}`,
      resource: arn.table(table),
    }));
  }
  if (name === 'TransactWriteItems' || name === 'TransactGetItems') {
    return ((i.TransactItems ?? []) as Array<Record<string, { TableName: string }>>).map((item) => {
      const [kind = '', op] = Object.entries(item)[0] ?? [];
      const action = name === 'TransactGetItems' ? 'dynamodb:GetItem' : TRANSACT_WRITE_ACTIONS[kind];
      if (!action || !op) throw new Error(`no IAM mapping for transaction item ${kind}`);
      return { service: 'dynamodb', action, resource: arn.table(op.TableName) };
    });
  }
  return undefined;
}

function ssmCalls(name: string, i: Input): Grantable[] | undefined {
  if (name === 'GetParameter') return [{ service: 'ssm', action: 'ssm:GetParameter', resource: arn.parameter(String(i.Name)) }];
  if (name === 'GetParameters') {
    return ((i.Names ?? []) as string[]).map((n) => ({ service: 'ssm', action: 'ssm:GetParameters', resource: arn.parameter(n) }));
  }
  return undefined;
}

function eventsCalls(name: string, i: Input): Grantable[] | undefined {
  if (name !== 'PutEvents') return undefined;
  return ((i.Entries ?? []) as Array<{ EventBusName?: string }>).map((e) => ({
    service: 'events',
    action: 'events:PutEvents',
    resource: arn.bus(e.EventBusName),
  }));
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e !== undefined && (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404);
}
