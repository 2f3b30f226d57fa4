/** The parts of a CloudFormation template the deploy checks read. */
export interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string | string[];
}

export interface Template {
  Resources: Record<string, Resource>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, { Value: unknown; Description?: string }>;
}

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** identity: attached to a principal; resource: a bucket/topic/queue policy; key: a KMS key policy. */
export type PolicyKind = 'identity' | 'trust' | 'resource' | 'key';

export interface FoundStatement {
  where: string;
  kind: PolicyKind;
  statement: Statement;
}

export function resourcesOfType(template: Template, type: string): Array<[string, Resource]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

export function toArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function statementsOf(document: unknown): Statement[] {
  return toArray((document as { Statement?: Statement | Statement[] } | undefined)?.Statement);
}

/** Every policy statement the template defines, labelled with where it lives and what kind it is. */
export function policyStatements(template: Template): FoundStatement[] {
  const found: FoundStatement[] = [];
  const add = (where: string, kind: PolicyKind, document: unknown) => {
    statementsOf(document).forEach((statement, i) => {
      found.push({ where: `${where}[${statement.Sid ?? i}]`, kind, statement });
    });
  };
  for (const [id, r] of Object.entries(template.Resources)) {
    const p = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::IAM::Role':
        add(`${id}.AssumeRolePolicyDocument`, 'trust', p.AssumeRolePolicyDocument);
        for (const policy of toArray(p.Policies as Array<{ PolicyName: string; PolicyDocument: unknown }>)) {
          add(`${id}.${policy.PolicyName}`, 'identity', policy.PolicyDocument);
        }
        break;
      case 'AWS::IAM::ManagedPolicy':
      case 'AWS::IAM::Policy':
        add(id, 'identity', p.PolicyDocument);
        break;
      case 'AWS::S3::BucketPolicy':
      case 'AWS::SNS::TopicPolicy':
      case 'AWS::SQS::QueuePolicy':
        add(id, 'resource', p.PolicyDocument);
        break;
      case 'AWS::KMS::Key':
        add(id, 'key', p.KeyPolicy);
        break;
    }
  }
  return found;
}

/**
 * The literal text of a value that may be an intrinsic function: strings as they are, `Fn::Sub`
 * templates with their `${...}` references, `Fn::Join` with each non-literal part shown as `{ref}`.
 * References (`Ref`, `Fn::GetAtt`) name one resource of the template and render as `{Logical.Attr}`.
 */
export function literal(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') return `{${v.Ref}}`;
    if (Array.isArray(v['Fn::GetAtt'])) return `{${(v['Fn::GetAtt'] as string[]).join('.')}}`;
    if (typeof v['Fn::Sub'] === 'string') return v['Fn::Sub'] as string;
    if (Array.isArray(v['Fn::Join'])) {
      const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(literal).join(sep);
    }
  }
  return `{${JSON.stringify(value)}}`;
}
