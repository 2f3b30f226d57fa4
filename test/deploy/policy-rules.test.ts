import {
  bucketsAcceptingPlainHttp,
  logGroupsWithoutRetention,
  publicBuckets,
  unconditionedKeyUse,
  unencryptedStores,
  wildcardPermissions,
} from './policy-rules';
import { type Resource, type Statement, type Template, toArray } from './template';

const objects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/datafiles/*']] };

function roleWith(...statements: Statement[]): Template {
  return {
    Resources: {
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          },
          Policies: [{ PolicyName: 'fn', PolicyDocument: { Statement: statements } }],
        },
      },
    },
  };
}

function only(id: string, resource: Resource): Template {
  return { Resources: { [id]: resource } };
}

const goodBucket: Resource = {
  Type: 'AWS::S3::Bucket',
  Properties: {
    BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
  },
};

describe('wildcardPermissions', () => {
  it('accepts named actions on named resources and the datafiles/ object prefix', () => {
    const template = roleWith(
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: objects },
      { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: { 'Fn::GetAtt': ['Table', 'Arn'] } },
      {
        Effect: 'Allow',
        Action: 'ssm:GetParameter',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/x' },
      },
    );

    expect(wildcardPermissions(template)).toEqual([]);
  });

  it.each([
    ['a bare * action', { Effect: 'Allow', Action: '*', Resource: objects }, 'wildcard action "*"'],
    ['a service-wide action', { Effect: 'Allow', Action: 's3:*', Resource: objects }, 'wildcard action "s3:*"'],
    ['an action prefix', { Effect: 'Allow', Action: 'dynamodb:Get*', Resource: objects }, 'wildcard action "dynamodb:Get*"'],
    ['a * resource', { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }, 'resource "*"'],
    [
      'an ARN that is all wildcard',
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::*' },
      'wildcard resource "arn:aws:s3:::*"',
    ],
    [
      'every object of the bucket',
      { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/*']] } },
      'wildcard resource "{Bucket.Arn}/*"',
    ],
    [
      'a wildcard account or table',
      { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: { 'Fn::Sub': 'arn:aws:dynamodb:*:*:table/t' } },
      'wildcard resource "arn:aws:dynamodb:*:*:table/t"',
    ],
    ['NotAction', { Effect: 'Allow', NotAction: 'iam:*', Resource: objects }, 'NotAction allows everything else'],
    ['no resource at all', { Effect: 'Allow', Action: 's3:GetObject' }, 'no Resource'],
  ] as Array<[string, Statement, string]>)('rejects %s', (_name, statement, problem) => {
    const template = roleWith(statement);

    const problems = wildcardPermissions(template);

    expect(problems).toEqual([expect.stringContaining(problem)]);
  });

  it('checks managed policies and resource policies too, but not Deny statements', () => {
    const template: Template = {
      Resources: {
        Reader: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: objects }] } },
        },
        TopicPolicy: {
          Type: 'AWS::SNS::TopicPolicy',
          Properties: {
            PolicyDocument: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sns:Publish', Resource: { Ref: 'Topic' } }] },
          },
        },
        BucketPolicy: {
          Type: 'AWS::S3::BucketPolicy',
          Properties: { PolicyDocument: { Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' }] } },
        },
      },
    };

    const problems = wildcardPermissions(template);

    expect(problems).toEqual([
      expect.stringMatching(/^Reader.*wildcard action "s3:\*"/),
      expect.stringMatching(/^TopicPolicy.*every principal/),
    ]);
  });

  it('lets a key policy name itself as "*" but not grant wildcard actions or open it to everyone', () => {
    const key = (statement: Statement): Template =>
      only('Key', { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [statement] } } });

    const self = wildcardPermissions(
      key({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'kms:Decrypt', Resource: '*' }),
    );
    const admin = wildcardPermissions(key({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::1:root' }, Action: 'kms:*', Resource: '*' }));
    const open = wildcardPermissions(key({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*' }));

    expect(self).toEqual([]);
    expect(admin).toEqual([expect.stringContaining('wildcard action "kms:*"')]);
    expect(open).toEqual([expect.stringContaining('every principal')]);
  });
});

describe('unconditionedKeyUse', () => {
  const key = (...statements: Statement[]): Template =>
    only('Key', { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: statements } } });
  const pinned = {
    StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    ArnEquals: { 'aws:SourceArn': 'arn:aws:events:us-east-1:1:rule/bus/rule' },
  };
  const publisher: Statement = {
    Effect: 'Allow',
    Principal: { Service: 'events.amazonaws.com' },
    Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
    Resource: '*',
    Condition: pinned,
  };
  const admin: Statement = {
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::1:root' },
    Action: ['kms:DescribeKey', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion'],
    Resource: '*',
  };

  it('accepts administration without key use, and a publishing service pinned by SourceArn and SourceAccount', () => {
    expect(unconditionedKeyUse(key(admin, publisher))).toEqual([]);
  });

  it.each([
    ['an account principal that may decrypt', { ...admin, Action: [...toArray(admin.Action), 'kms:Decrypt'] }, 'not a service'],
    ['an account principal that may create grants', { ...admin, Action: 'kms:CreateGrant' }, 'not a service'],
    ['an account principal with kms:*', { ...admin, Action: 'kms:*' }, 'not a service'],
    ['a service without SourceArn', { ...publisher, Condition: { StringEquals: pinned.StringEquals } }, 'without aws:SourceArn'],
    ['a service without SourceAccount', { ...publisher, Condition: { ArnEquals: pinned.ArnEquals } }, 'without aws:SourceAccount'],
    [
      'a service pinned only if the keys exist',
      { ...publisher, Condition: { StringEqualsIfExists: pinned.StringEquals, ArnLikeIfExists: pinned.ArnEquals } },
      'without aws:SourceArn',
    ],
  ] as Array<[string, Statement, string]>)('rejects %s', (_name, statement, problem) => {
    expect(unconditionedKeyUse(key(statement))).toContainEqual(expect.stringContaining(problem));
  });

  it('ignores Deny statements and policies other than key policies', () => {
    const deny: Statement = { ...admin, Effect: 'Deny', Action: 'kms:Decrypt' };
    const role = roleWith({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:us-east-1:1:key/k' });

    expect(unconditionedKeyUse(key(deny))).toEqual([]);
    expect(unconditionedKeyUse(role)).toEqual([]);
  });
});

describe('unencryptedStores', () => {
  it('accepts encrypted buckets, tables, topics and queues', () => {
    const template: Template = {
      Resources: {
        Bucket: goodBucket,
        Table: { Type: 'AWS::DynamoDB::Table', Properties: { SSESpecification: { SSEEnabled: true } } },
        Topic: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: { Ref: 'Key' } } },
        Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
      },
    };

    expect(unencryptedStores(template)).toEqual([]);
  });

  it.each([
    ['a bucket without default encryption', { Type: 'AWS::S3::Bucket', Properties: {} }],
    ['a table without SSESpecification', { Type: 'AWS::DynamoDB::Table', Properties: { BillingMode: 'PAY_PER_REQUEST' } }],
    ['a table with SSE turned off', { Type: 'AWS::DynamoDB::Table', Properties: { SSESpecification: { SSEEnabled: false } } }],
    ['a topic without a KMS key', { Type: 'AWS::SNS::Topic', Properties: { TopicName: 't' } }],
    ['a queue with SSE turned off', { Type: 'AWS::SQS::Queue', Properties: { SqsManagedSseEnabled: false } }],
  ] as Array<[string, Resource]>)('rejects %s', (_name, resource) => {
    expect(unencryptedStores(only('Store', resource))).toEqual([expect.stringMatching(/^Store: /)]);
  });
});

describe('bucket guards', () => {
  it('flags a bucket missing one public-access-block flag', () => {
    const leaky: Resource = {
      ...goodBucket,
      Properties: {
        ...goodBucket.Properties,
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true },
      },
    };

    expect(publicBuckets(only('Good', goodBucket))).toEqual([]);
    expect(publicBuckets(only('Leaky', leaky))).toEqual(['Leaky: public access not fully blocked']);
  });

  it('requires a policy that denies non-TLS requests on each bucket', () => {
    const denyHttp = {
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: '*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    };
    const withPolicy: Template = {
      Resources: {
        Bucket: goodBucket,
        Policy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'Bucket' }, PolicyDocument: { Statement: [denyHttp] } } },
      },
    };

    expect(bucketsAcceptingPlainHttp(withPolicy)).toEqual([]);
    expect(bucketsAcceptingPlainHttp(only('Bucket', goodBucket))).toEqual(['Bucket: no policy denying non-TLS requests']);
  });
});

describe('logGroupsWithoutRetention', () => {
  it('flags a log group kept forever', () => {
    const template: Template = {
      Resources: {
        Kept: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } },
        Forever: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/x' } },
      },
    };

    expect(logGroupsWithoutRetention(template)).toEqual(['Forever: no RetentionInDays']);
  });
});
