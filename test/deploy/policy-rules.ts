import { literal, policyStatements, resourcesOfType, type Template, toArray } from './template';

// The only wildcards an Allow may carry: objects under the `datafiles/` prefix of a bucket
// (`<bucket ARN>/datafiles/*`) or the revision objects of every key (`<bucket ARN>/datafiles/*/revisions/*`).
// Those are key shapes, not wildcard permissions.
const OBJECT_PREFIX = /^[^*]+\/datafiles\/\*(\/revisions\/\*)?$/;

/**
 * Allow statements that grant more than named actions on named resources: an action containing `*`
 * (`*`, `s3:*`, `s3:Get*`), `NotAction` / `NotResource`, a resource that is `*` or contains `*` other
 * than the `datafiles/*` object prefix, or a resource/key policy open to every principal. In a KMS key
 * policy the resource is always `*`, meaning the key itself, so only its actions and principals count.
 * Deny statements only take access away and are not checked.
 */
export function wildcardPermissions(template: Template): string[] {
  const problems: string[] = [];
  for (const { where, kind, statement } of policyStatements(template)) {
    if (statement.Effect !== 'Allow') continue;
    if (statement.NotAction !== undefined) problems.push(`${where}: NotAction allows everything else`);
    if (statement.NotResource !== undefined) problems.push(`${where}: NotResource allows everything else`);
    for (const action of toArray(statement.Action)) {
      if (action.includes('*')) problems.push(`${where}: wildcard action "${action}"`);
    }
    if ((kind === 'resource' || kind === 'key') && isEveryone(statement.Principal)) {
      problems.push(`${where}: allows every principal`);
    }
    if (kind === 'key' || kind === 'trust') continue;
    const resources = toArray(statement.Resource);
    if (resources.length === 0) problems.push(`${where}: no Resource`);
    for (const resource of resources) {
      const text = literal(resource);
      if (text === '*') problems.push(`${where}: resource "*"`);
      else if (text.includes('*') && !OBJECT_PREFIX.test(text)) problems.push(`${where}: wildcard resource "${text}"`);
    }
  }
  return problems;
}

function isEveryone(principal: unknown): boolean {
  if (principal === '*') return true;
  const aws = (principal as { AWS?: unknown } | undefined)?.AWS;
  return toArray(aws as unknown).some((p) => p === '*');
}

// What lets a principal use a KMS key's data, or hand that use out (a grant).
const KEY_USE =
  /^kms:(Encrypt|Decrypt|ReEncrypt.*|GenerateDataKey.*|GenerateMac|VerifyMac|Sign|Verify|DeriveSharedSecret|CreateGrant|\*)$|^\*$/;
// Condition operators that pin a key to a value (not the ...IfExists forms, which pass when it is absent).
const PINNING = ['StringEquals', 'StringLike', 'ArnEquals', 'ArnLike'];

/**
 * KMS key-policy Allow statements that let a principal use the key's data (encrypt, decrypt, data
 * keys, or create a grant that could hand those out) unless the principal is a service limited to
 * one source by both `aws:SourceArn` and `aws:SourceAccount` (the confused-deputy guard). Only the
 * services that publish to an encrypted resource should use its key; administrators need none of it.
 */
export function unconditionedKeyUse(template: Template): string[] {
  const problems: string[] = [];
  for (const { where, kind, statement } of policyStatements(template)) {
    if (kind !== 'key' || statement.Effect !== 'Allow') continue;
    const uses = toArray(statement.Action).filter((a) => KEY_USE.test(a));
    if (uses.length === 0) continue;
    const principal = statement.Principal as Record<string, unknown> | undefined;
    if (!principal || typeof principal !== 'object' || Object.keys(principal).join() !== 'Service') {
      problems.push(`${where}: ${uses.join(', ')} for a principal that is not a service`);
    }
    const pinned = Object.entries(statement.Condition ?? {})
      .filter(([operator]) => PINNING.includes(operator))
      .flatMap(([, keys]) => Object.keys(keys).map((k) => k.toLowerCase()));
    for (const key of ['aws:SourceArn', 'aws:SourceAccount']) {
      if (!pinned.includes(key.toLowerCase())) problems.push(`${where}: ${uses.join(', ')} without ${key}`);
    }
  }
  return problems;
}

const S3_ALGORITHMS = ['AES256', 'aws:kms', 'aws:kms:dsse'];

/** Buckets, tables, topics and queues that do not declare encryption at rest. */
export function unencryptedStores(template: Template): string[] {
  const problems: string[] = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::S3::Bucket') {
      const rules = toArray(
        (p.BucketEncryption as { ServerSideEncryptionConfiguration?: unknown[] } | undefined)?.ServerSideEncryptionConfiguration,
      );
      const algorithms = rules.map(
        (rule) => (rule as { ServerSideEncryptionByDefault?: { SSEAlgorithm?: string } }).ServerSideEncryptionByDefault?.SSEAlgorithm,
      );
      if (!algorithms.some((a) => a !== undefined && S3_ALGORITHMS.includes(a))) problems.push(`${id}: bucket without default encryption`);
    }
    if (r.Type === 'AWS::DynamoDB::Table' && (p.SSESpecification as { SSEEnabled?: unknown } | undefined)?.SSEEnabled !== true) {
      problems.push(`${id}: table without SSESpecification.SSEEnabled`);
    }
    if (r.Type === 'AWS::SNS::Topic' && p.KmsMasterKeyId === undefined) problems.push(`${id}: topic without KmsMasterKeyId`);
    if (r.Type === 'AWS::SQS::Queue' && p.KmsMasterKeyId === undefined && p.SqsManagedSseEnabled === false) {
      problems.push(`${id}: queue with encryption turned off`);
    }
  }
  return problems;
}

const PUBLIC_ACCESS_FLAGS = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'];

/** Buckets missing any of the four public-access-block settings. */
export function publicBuckets(template: Template): string[] {
  return resourcesOfType(template, 'AWS::S3::Bucket')
    .filter(([, r]) => {
      const block = (r.Properties?.PublicAccessBlockConfiguration ?? {}) as Record<string, unknown>;
      return !PUBLIC_ACCESS_FLAGS.every((flag) => block[flag] === true);
    })
    .map(([id]) => `${id}: public access not fully blocked`);
}

/** Buckets whose policy does not deny requests made without TLS. */
export function bucketsAcceptingPlainHttp(template: Template): string[] {
  const policies = resourcesOfType(template, 'AWS::S3::BucketPolicy');
  return resourcesOfType(template, 'AWS::S3::Bucket')
    .filter(([id]) => {
      const policy = policies.find(([, p]) => literal(p.Properties?.Bucket) === `{${id}}`)?.[1];
      const statements = toArray((policy?.Properties?.PolicyDocument as { Statement?: unknown[] } | undefined)?.Statement);
      return !statements.some((s) => {
        const st = s as { Effect?: string; Condition?: { Bool?: Record<string, unknown> } };
        return st.Effect === 'Deny' && String(st.Condition?.Bool?.['aws:SecureTransport']) === 'false';
      });
    })
    .map(([id]) => `${id}: no policy denying non-TLS requests`);
}

/** Log groups kept forever. */
export function logGroupsWithoutRetention(template: Template): string[] {
  return resourcesOfType(template, 'AWS::Logs::LogGroup')
    .filter(([, r]) => typeof r.Properties?.RetentionInDays !== 'number')
    .map(([id]) => `${id}: no RetentionInDays`);
}
