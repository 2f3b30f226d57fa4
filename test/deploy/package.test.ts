import { rmSync } from 'node:fs';
import { POINTERS_INDEX } from '../../lib/layout';
import { type Packaged, type PrintedConfig, packageVariant, printStack, VARIANTS, zipEntries } from './package';
import {
  bucketsAcceptingPlainHttp,
  logGroupsWithoutRetention,
  publicBuckets,
  unconditionedKeyUse,
  unencryptedStores,
  wildcardPermissions,
} from './policy-rules';
import { conditionHolds, created, functionIds, type Grant, grantsOf, resource, sortGrants } from './stack';
import { literal, resourcesOfType, type Statement, type Template, toArray } from './template';

// `serverless package` runs twice, offline: the `ci` stage with default params, and `prod` with every
// param a user is told to override. Each test reads the generated CloudFormation (or the zips).
let ci: Packaged;
let prod: Packaged;
let printed: PrintedConfig;
/** The production stages with their default params, as a stage's first deploy resolves them. */
let firstDeploys: PrintedConfig[];

beforeAll(async () => {
  ci = await packageVariant('ci');
  prod = await packageVariant('prod');
  printed = await printStack('ci');
  firstDeploys = [await printStack('prod'), await printStack('production')];
}, 240_000);

afterAll(() => {
  for (const p of [ci, prod]) if (p) rmSync(p.dir, { recursive: true, force: true });
});

// AWS's default key-administrator actions that apply to this key, spelled out (no wildcards), without
// kms:CreateGrant: a grant could hand out Encrypt/Decrypt.
const KEY_ADMINISTRATION = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:PutKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:RotateKeyOnDemand',
  'kms:ListKeyRotations',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:UpdateKeyDescription',
  'kms:CreateAlias',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
  'kms:ListResourceTags',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ListGrants',
  'kms:RevokeGrant',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
];
const PROD_ALARM_TOPIC = VARIANTS.prod.params.alarmTopicArn;
const MAX_ZIP_BYTES = 1.5 * 1024 * 1024;
// biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
const ACCOUNT = '${AWS::Region}:${AWS::AccountId}';

function expectedGrants(fn: 'Webhook' | 'Reconcile', stage: string, bus: string): Grant[] {
  const tableActions = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'];
  return sortGrants([
    { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`{${fn}LogGroup.Arn}`] },
    { actions: ['s3:GetObject', 's3:PutObject'], resources: ['{DatafileBucket.Arn}/datafiles/*'] },
    { actions: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], resources: ['{DatafileBucket.Arn}/mirror/datafiles/*'] },
    ...(fn === 'Webhook' ? [{ actions: ['s3:ListBucket'], resources: ['{DatafileBucket.Arn}'] }] : []),
    { actions: tableActions.sort(), resources: ['{DatafileTable.Arn}'] },
    ...(fn === 'Reconcile' ? [{ actions: ['dynamodb:Scan'], resources: ['{DatafileTable.Arn}/index/pointers'] }] : []),
    { actions: ['events:PutEvents'], resources: [`arn:\${AWS::Partition}:events:${ACCOUNT}:event-bus/${bus}`] },
    {
      actions: ['ssm:GetParameter'],
      resources: [`arn:\${AWS::Partition}:ssm:${ACCOUNT}:parameter/optimizely-datafile-sync/${stage}/config`],
    },
  ]);
}

describe('the packaged stack', () => {
  it('has no wildcard permission, unencrypted store, public bucket, plain-HTTP bucket or unbounded log group', () => {
    for (const { template } of [ci, prod]) {
      expect(wildcardPermissions(template)).toEqual([]);
      expect(unencryptedStores(template)).toEqual([]);
      expect(publicBuckets(template)).toEqual([]);
      expect(bucketsAcceptingPlainHttp(template)).toEqual([]);
      expect(logGroupsWithoutRetention(template)).toEqual([]);
      expect(unconditionedKeyUse(template)).toEqual([]);
    }
  });

  it('routes POST /webhook to the webhook function with payload 2.0, throttled, with access logs', () => {
    const t = ci.template;

    const routes = resourcesOfType(t, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties?.RouteKey);
    const integration = resource(t, 'HttpApiIntegrationWebhook').Properties ?? {};
    const stage = resource(t, 'HttpApiStage').Properties as {
      DefaultRouteSettings: Record<string, number>;
      AccessLogSettings: { DestinationArn: unknown };
    };

    expect(routes).toEqual(['POST /webhook']);
    expect(literal(integration.IntegrationUri)).toBe('{WebhookLambdaFunction.Arn}');
    expect(integration.PayloadFormatVersion).toBe('2.0');
    expect(stage.DefaultRouteSettings.ThrottlingRateLimit).toBeGreaterThan(0);
    expect(stage.DefaultRouteSettings.ThrottlingBurstLimit).toBeGreaterThan(0);
    expect(literal(stage.AccessLogSettings.DestinationArn)).toBe('{HttpApiLogGroup.Arn}');
    expect(resource(t, 'HttpApiLogGroup').Properties?.RetentionInDays).toBe(30);
  });

  it('runs each function on Node.js 20/22, arm64, with source maps, under API Gateway’s timeout', () => {
    const t = ci.template;

    const fns = functionIds(t).map(
      (id) => resource(t, id).Properties as Record<string, unknown> & { Environment: { Variables: Record<string, unknown> } },
    );

    expect(functionIds(t).sort()).toEqual(['ReconcileLambdaFunction', 'RollbackLambdaFunction', 'WebhookLambdaFunction']);
    for (const fn of fns) {
      expect(['nodejs20.x', 'nodejs22.x']).toContain(fn.Runtime);
      expect(fn.Architectures).toEqual(['arm64']);
      expect(fn.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    }
    expect(resource(t, 'WebhookLambdaFunction').Properties?.Timeout).toBeLessThanOrEqual(28);
  });

  it('gives the functions their table, bucket, SSM parameter and event bus by name', () => {
    const env = (resource(ci.template, 'WebhookLambdaFunction').Properties as { Environment: { Variables: Record<string, unknown> } })
      .Environment.Variables;

    expect(literal(env.DATAFILE_TABLE)).toBe('{DatafileTable}');
    expect(literal(env.DATAFILE_BUCKET)).toBe('{DatafileBucket}');
    expect(env.SYNC_CONFIG_PARAMETER).toBe('/optimizely-datafile-sync/ci/config');
    expect(env.EVENT_BUS_NAME).toEqual({ 'Fn::If': ['CreateEventBus', { Ref: 'DatafileEventBus' }, 'optimizely-datafile-sync-ci'] });
  });

  it('grants each function, through its own role, exactly the calls its code makes', () => {
    for (const [{ template }, stage, bus] of [
      [ci, 'ci', 'optimizely-datafile-sync-ci'],
      [prod, 'prod', 'shared-bus'],
    ] as const) {
      expect(literal(resource(template, 'WebhookLambdaFunction').Properties?.Role)).toBe('{WebhookRole.Arn}');
      expect(literal(resource(template, 'ReconcileLambdaFunction').Properties?.Role)).toBe('{ReconcileRole.Arn}');
      expect(
        resourcesOfType(template, 'AWS::IAM::Role')
          .map(([id]) => id)
          .sort(),
      ).toEqual(['ReconcileRole', 'RollbackRole', 'WebhookRole']);
      expect(grantsOf(template, 'WebhookRole')).toEqual(expectedGrants('Webhook', stage, bus));
      expect(grantsOf(template, 'ReconcileRole')).toEqual(expectedGrants('Reconcile', stage, bus));
      expect(literal(resource(template, 'RollbackLambdaFunction').Properties?.Role)).toBe('{RollbackRole.Arn}');
      expect(grantsOf(template, 'RollbackRole')).toEqual(
        sortGrants([
          { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: ['{RollbackLogGroup.Arn}'] },
          { actions: ['s3:GetObject', 's3:PutObject'], resources: ['{DatafileBucket.Arn}/datafiles/*'] },
          { actions: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], resources: ['{DatafileBucket.Arn}/mirror/datafiles/*'] },
          { actions: ['s3:ListBucket'], resources: ['{DatafileBucket.Arn}'] },
          {
            actions: ['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
            resources: ['{DatafileTable.Arn}'],
          },
          { actions: ['dynamodb:Scan'], resources: [`{DatafileTable.Arn}/index/${POINTERS_INDEX}`] },
          { actions: ['events:PutEvents'], resources: [`arn:\${AWS::Partition}:events:${ACCOUNT}:event-bus/${bus}`] },
          {
            actions: ['ssm:GetParameter'],
            resources: [`arn:\${AWS::Partition}:ssm:${ACCOUNT}:parameter/optimizely-datafile-sync/${stage}/config`],
          },
        ]),
      );
    }
  });

  it('rolls back on the named alarms only when some are named: a default-bus rule, an invoke permission tied to it', () => {
    const rule = resource(prod.template, 'RollbackAlarmRule');
    const permission = resource(prod.template, 'RollbackInvokePermission').Properties ?? {};
    const env = (p: Packaged) =>
      (resource(p.template, 'RollbackLambdaFunction').Properties as { Environment: { Variables: Record<string, unknown> } }).Environment
        .Variables;

    expect(created(ci.template, 'RollbackAlarmRule')).toBeUndefined();
    expect(created(ci.template, 'RollbackInvokePermission')).toBeUndefined();
    expect(created(prod.template, 'RollbackAlarmRule')).toBeDefined();
    expect(created(prod.template, 'RollbackInvokePermission')).toBeDefined();
    expect(rule.Properties?.EventBusName).toBeUndefined();
    expect(rule.Properties?.EventPattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: { alarmName: { 'Fn::Split': [',', 'checkout-5xx,api-latency'] }, state: { value: ['ALARM'] } },
    });
    expect(((rule.Properties?.Targets ?? []) as Array<{ Arn: unknown }>).map((x) => literal(x.Arn))).toEqual([
      '{RollbackLambdaFunction.Arn}',
    ]);
    expect(permission).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com' });
    expect(literal(permission.FunctionName)).toBe('{RollbackLambdaFunction.Arn}');
    expect(literal(permission.SourceArn)).toBe('{RollbackAlarmRule.Arn}');
    const retries = resourcesOfType(ci.template, 'AWS::Lambda::EventInvokeConfig')
      .map(([, r]) => r.Properties ?? {})
      .filter((p) => literal(p.FunctionName) === '{RollbackLambdaFunction}');
    expect(retries.map((p) => p.MaximumRetryAttempts)).toEqual([2]);
    expect(env(ci)).toMatchObject({ ROLLBACK_ALARM_NAMES: '', ROLLBACK_BAKE_SECONDS: '600' });
    expect(env(prod)).toMatchObject({ ROLLBACK_ALARM_NAMES: 'checkout-5xx,api-latency', ROLLBACK_BAKE_SECONDS: '900' });
  });

  it('offers readers one managed policy: GetItem on the table and GetObject on revision objects only', () => {
    const reader = grantsOf(ci.template, 'DatafileReaderPolicy');

    expect(resource(ci.template, 'DatafileReaderPolicy').Type).toBe('AWS::IAM::ManagedPolicy');
    expect(reader).toEqual(
      sortGrants([
        { actions: ['dynamodb:GetItem'], resources: ['{DatafileTable.Arn}'] },
        { actions: ['s3:GetObject'], resources: ['{DatafileBucket.Arn}/datafiles/*/revisions/*'] },
      ]),
    );
  });

  it('keeps revisions in an on-demand, recoverable, encrypted table keyed pk/sk', () => {
    const table = resource(ci.template, 'DatafileTable').Properties ?? {};

    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.SSESpecification).toEqual({ SSEEnabled: true });
  });

  it('lists pointers through a sparse pointers index keyed on pointerKey, projecting whole items', () => {
    for (const { template } of [ci, prod]) {
      const table = resource(template, 'DatafileTable').Properties ?? {};

      expect(table.AttributeDefinitions).toContainEqual({ AttributeName: 'pointerKey', AttributeType: 'S' });
      expect(table.GlobalSecondaryIndexes).toEqual([
        { IndexName: POINTERS_INDEX, KeySchema: [{ AttributeName: 'pointerKey', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } },
      ]);
    }
  });

  it('keeps datafiles in a private, versioned, SSE-S3 bucket whose old versions expire', () => {
    const bucket = resource(ci.template, 'DatafileBucket').Properties as Record<string, unknown> & {
      LifecycleConfiguration: { Rules: Array<{ Status: string; NoncurrentVersionExpiration?: { NoncurrentDays: number } }> };
    };

    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    const expiring = bucket.LifecycleConfiguration.Rules.filter((r) => r.Status === 'Enabled' && r.NoncurrentVersionExpiration);
    expect(expiring).toHaveLength(1);
    expect(expiring[0]?.NoncurrentVersionExpiration?.NoncurrentDays).toBeGreaterThan(0);
  });

  it('deletes the stores with the stack on other stages; on production stages retains them, except when their own creation rolls back', () => {
    const policies = (t: Packaged) =>
      ['DatafileTable', 'DatafileBucket'].map((id) => [
        resource(t.template, id).DeletionPolicy,
        resource(t.template, id).UpdateReplacePolicy,
      ]);

    expect(policies(ci)).toEqual([
      ['Delete', 'Delete'],
      ['Delete', 'Delete'],
    ]);
    // RetainExceptOnCreate: a failed first deploy removes the empty stores it created, so the retry
    // can create the fixed-name table again; a replacement still keeps the old store (Retain).
    expect(policies(prod)).toEqual([
      ['RetainExceptOnCreate', 'Retain'],
      ['RetainExceptOnCreate', 'Retain'],
    ]);
  });

  it('protects the table from deletion only when told to, never on a stage’s first deploy (its rollback must delete the table)', () => {
    const protection = (resources: Template) => resources.Resources.DatafileTable?.Properties?.DeletionProtectionEnabled;

    // With the defaults, as every stage's first deploy runs: DynamoDB refuses to delete a protected
    // table, so a failed first deploy could not roll back the table RetainExceptOnCreate must delete
    // (UPDATE_ROLLBACK_FAILED, the fixed-name table left behind, the retry stopped on "already exists").
    expect(protection(ci.template)).toBe(false);
    for (const first of firstDeploys) {
      expect(first.resources.Resources.DatafileTable?.DeletionPolicy).toBe('RetainExceptOnCreate');
      expect(protection(first.resources)).toBe(false);
    }
    // Turned on (README "Deploy": once the stage's first deploy has succeeded).
    expect(protection(prod.template)).toBe(true);
  });

  it('forwards pointer moves from its own bus (or an existing one) to a KMS-encrypted topic EventBridge may publish to', () => {
    for (const [{ template: t }, stage, bus, createsBus] of [
      [ci, 'ci', 'optimizely-datafile-sync-ci', true],
      [prod, 'prod', 'shared-bus', false],
    ] as const) {
      const rule = resource(t, 'DatafileChangeRule').Properties as {
        Name: string;
        EventBusName: unknown;
        EventPattern: unknown;
        Targets: Array<{ Arn: unknown }>;
      };
      const topic = resource(t, 'DatafileChangeTopic').Properties ?? {};
      const key = resource(t, 'DatafileChangeTopicKey').Properties as { EnableKeyRotation: boolean; KeyPolicy: { Statement: Statement[] } };
      const topicPolicy = resource(t, 'DatafileChangeTopicPolicy').Properties as { PolicyDocument: { Statement: Statement[] } };

      expect(created(t, 'DatafileEventBus') !== undefined).toBe(createsBus);
      expect(rule.EventBusName).toEqual({ 'Fn::If': ['CreateEventBus', { Ref: 'DatafileEventBus' }, bus] });
      expect(rule.EventPattern).toEqual({
        source: ['optimizely-datafile-sync'],
        'detail-type': ['Datafile Pointer Moved', 'Datafile Rolled Back', 'Datafile Held'],
      });
      expect(rule.Targets.map((x) => literal(x.Arn))).toEqual(['{DatafileChangeTopic}']);
      expect(literal(topic.KmsMasterKeyId)).toBe('{DatafileChangeTopicKey}');
      expect(key.EnableKeyRotation).toBe(true);
      expect(key.KeyPolicy.Statement.map((s) => s.Principal)).toEqual([
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
        { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
        { Service: 'events.amazonaws.com' },
      ]);
      // The account administers the key and nothing more: no one in it publishes to the topic. Only
      // EventBridge, for this rule in this account, may use the key (unconditionedKeyUse, above).
      expect(key.KeyPolicy.Statement[0]).toEqual({
        Sid: 'AccountAdministersKey',
        Effect: 'Allow',
        Principal: expect.anything(),
        Action: KEY_ADMINISTRATION,
        Resource: '*',
      });
      // The key policy cannot GetAtt the rule (rule → topic → key → rule would be a cycle): it builds
      // the ARN from the rule's fixed name, rule/<bus>/<name> on a custom bus, rule/<name> on `default`.
      expect(rule.Name).toBe(`optimizely-datafile-sync-${stage}-changes`);
      expect(key.KeyPolicy.Statement[1]).toMatchObject({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnEquals: {
            'aws:SourceArn': {
              'Fn::If': [
                'ChangeRuleOnDefaultBus',
                { 'Fn::Sub': `arn:\${AWS::Partition}:events:${ACCOUNT}:rule/${rule.Name}` },
                { 'Fn::Sub': `arn:\${AWS::Partition}:events:${ACCOUNT}:rule/${bus}/${rule.Name}` },
              ],
            },
          },
        },
      });
      expect(conditionHolds(t, 'ChangeRuleOnDefaultBus')).toBe(false);
      expect(t.Conditions?.ChangeRuleOnDefaultBus).toEqual({ 'Fn::Equals': [bus, 'default'] });
      expect(topicPolicy.PolicyDocument.Statement).toEqual([
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sns:Publish',
          Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['DatafileChangeRule', 'Arn'] } } },
        }),
      ]);
    }
  });

  it('schedules reconcile at the configured rate, and can disable it', () => {
    const schedule = (p: Packaged) => resource(p.template, 'ReconcileEventsRuleSchedule1').Properties ?? {};

    expect(schedule(ci)).toMatchObject({ ScheduleExpression: 'rate(15 minutes)', State: 'ENABLED' });
    expect(schedule(prod)).toMatchObject({ ScheduleExpression: 'rate(1 hour)', State: 'DISABLED' });
  });

  it('alarms on every function’s errors and on webhook and reconcile failures, notifying the alarm topic when one is given', () => {
    for (const p of [ci, prod]) {
      const alarms = resourcesOfType(p.template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties as Record<string, unknown>);
      const on = (metric: string, dimension: string) =>
        alarms.filter(
          (a) =>
            a.MetricName === metric &&
            toArray(a.Dimensions as Array<{ Name: string; Value: unknown }>).some((d) => literal(d.Value) === dimension),
        );

      for (const fn of functionIds(p.template)) expect(on('Errors', `{${fn}}`)).toHaveLength(1);
      // What each alarm watches is proven against the metrics the code emits in alarms-emf.test.ts.
      expect(on('WebhookFailures', '{WebhookLambdaFunction}')).toHaveLength(1);
      expect(on('ReconcileFailedKeys', '{ReconcileLambdaFunction}')).toHaveLength(1);
      // The alarm topic, when one is given; otherwise empty lists (never an empty ARN).
      const actions = p === prod ? [PROD_ALARM_TOPIC] : [];
      for (const a of alarms) expect([a.AlarmDescription, a.AlarmActions, a.OKActions]).toEqual([a.AlarmDescription, actions, actions]);
    }
  });

  it('outputs the SSM parameter to create, the webhook URL, bucket, table, reader policy, bus and topic', () => {
    const outputs = ci.template.Outputs ?? {};

    expect(outputs.ConfigParameterName?.Value).toBe('/optimizely-datafile-sync/ci/config');
    expect(prod.template.Outputs?.ConfigParameterName?.Value).toBe('/optimizely-datafile-sync/prod/config');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
    expect(literal(outputs.WebhookUrl?.Value)).toBe('https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/webhook');
    expect(literal(outputs.DatafileBucketName?.Value)).toBe('{DatafileBucket}');
    expect(literal(outputs.DatafileTableName?.Value)).toBe('{DatafileTable}');
    expect(literal(outputs.DatafileReaderPolicyArn?.Value)).toBe('{DatafileReaderPolicy}');
    expect(literal(outputs.DatafileChangeTopicArn?.Value)).toBe('{DatafileChangeTopic}');
    expect(outputs.DatafileEventBusName?.Value).toEqual({
      'Fn::If': ['CreateEventBus', { Ref: 'DatafileEventBus' }, 'optimizely-datafile-sync-ci'],
    });
  });

  it('puts the resolved infra/*.yml resources in the template unchanged (what the IAM simulation evaluates)', () => {
    for (const [id, r] of Object.entries(printed.resources.Resources)) expect([id, ci.template.Resources[id]]).toEqual([id, r]);
  });

  it('turns Serverless v4’s built-in esbuild off; osls packages anyway and warns about that key alone', () => {
    // configValidationMode warn would let any schema error through as a warning: this keeps it to `build`.
    const unrecognised = printed.log.split('\n').filter((line) => /^\s+at .+: /.test(line));

    expect(printed.build).toEqual({ esbuild: false });
    expect(printed.configValidationMode).toBe('warn');
    expect(unrecognised.map((line) => line.trim())).toEqual(["at root: unrecognized property 'build'"]);
  });

  it.each(['webhook', 'reconcile', 'rollback'])(
    'bundles %s into one file plus its source map, no node_modules, under 1.5 MB zipped',
    (name) => {
      const zip = ci.artifact(name);

      const entries = zipEntries(zip);

      expect(entries.map((e) => e.name).sort()).toEqual([`functions/${name}.js`, `functions/${name}.js.map`]);
      expect(zip.length).toBeLessThan(MAX_ZIP_BYTES);
    },
  );
});
