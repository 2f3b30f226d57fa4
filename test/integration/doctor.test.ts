import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { type AttributeValue, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createWebhookApp } from '../../lib/app';
import { clientConfig } from '../../lib/aws/clients';
import { defaultSsmClient, readParameter } from '../../lib/aws/ssm-read';
import {
  defaultCloudFormationClient,
  describeStack,
  MIRROR_STACK_OUTPUTS,
  OPTIONAL_STACK_OUTPUTS,
  STACK_OUTPUTS,
} from '../../lib/aws/stack';
import type { KeyPointer } from '../../lib/cli/doctor/stores';
import { runCli } from '../../lib/cli/main';
import type { CliClients } from '../../lib/cli/target';
import { type Env, fetchPolicy, type WebhookConfig } from '../../lib/config';
import { createLogger } from '../../lib/log';
import { signBody } from '../../lib/webhook/signature';
import { serveHttpApi } from '../../local/http-adapter';
import { type LocalOrigin, startOrigin } from '../../local/origin';
import { freePort } from '../../local/stores';
import { type FakeStack, type LocalCloudFormation, startLocalCloudFormation } from '../support/cloudformation-server';
import { PROJECT_ID } from '../support/datafiles';
import { awsError, withFaults } from '../support/faults';
import { serveRevision } from '../support/ops';
import { publish } from '../support/publish';
import { type LocalSsm, startLocalSsm } from '../support/ssm-server';
import { freshStores, type TestStores } from '../support/stores';
import { payload } from '../support/webhooks';

const STAGE = 'doctor';
const STACK = `optimizely-datafile-sync-${STAGE}`;
const PARAMETER = '/teams/doctor/config';
const DEFAULT_PARAMETER = `/optimizely-datafile-sync/${STAGE}/config`;
const POLICY_ARN = 'arn:aws:iam::123456789012:policy/optimizely-datafile-sync-doctor-reader';
// Also listed in test/support/secrets.ts: no captured line may contain them.
const DOCTOR_SECRET = 'doctor-webhook-secret-4242';
const DOCTOR_TOKEN = 'doctor-access-token-9191';
const PROJECTS = JSON.stringify({
  projects: {
    [PROJECT_ID]: {
      secrets: [DOCTOR_SECRET, 'doctor-rotating-secret-77'],
      environments: ['Production'],
      accessTokens: { secure_key: DOCTOR_TOKEN },
    },
  },
});
const CHECKS = ['stack', 'config', 'webhook', 'table', 'bucket', 'pointers', 'reader-policy'];
const AWS = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

let stores: TestStores;
let ssm: LocalSsm;
let cfn: LocalCloudFormation;
let origin: LocalOrigin;
let servers: Server[];

/** The real webhook handler over HTTP, reading its projects from the SSM stand-in (clock frozen). */
async function serveWebhook(projects: WebhookConfig['projects'] = { kind: 'ssm', ttlMs: 300_000, parameter: PARAMETER }): Promise<string> {
  const config = {
    table: stores.table,
    bucket: stores.bucket,
    projects,
    fetch: { ...fetchPolicy({ ALLOWED_HOSTS: `127.0.0.1:${origin.port}`, ALLOW_LOOPBACK: 'true' }), budgetMs: 1500 },
  };
  const ssmClient = new SSMClient({ endpoint: ssm.endpoint, ...AWS });
  const app = createWebhookApp(config, {
    dynamo: stores.dynamo,
    s3: stores.s3,
    ssm: ssmClient,
    logger: createLogger({}, 'error'),
    now: () => 0,
  });
  const { server, port } = await serveHttpApi(app, '/webhook', 0);
  servers.push(server);
  return `http://127.0.0.1:${port}/webhook`;
}

function healthyStack(webhookUrl: string): FakeStack {
  return {
    status: 'UPDATE_COMPLETE',
    outputs: {
      WebhookUrl: webhookUrl,
      DatafileBucketName: stores.bucket,
      DatafileTableName: stores.table,
      DatafileReaderPolicyArn: POLICY_ARN,
      DatafileEventBusName: STACK,
      DatafileChangeTopicArn: `arn:aws:sns:us-east-1:123456789012:${STACK}-changes`,
      ConfigParameterName: PARAMETER,
    },
    resources: { DatafileReaderPolicy: { status: 'CREATE_COMPLETE', physicalId: POLICY_ARN } },
  };
}

function stack(): FakeStack {
  const s = cfn.stacks.get(STACK);
  if (!s) throw new Error('no stack');
  return s;
}

interface Run {
  code: number;
  out: string[];
  err: string[];
}

/** Clients `cli` hands the CLI instead of the stand-ins' (a fault-injecting wrapper, say). */
let overrides: CliClients = {};

/** Run the CLI in-process with the stand-ins' clients; every run is checked for leaked secrets. */
async function cli(argv: string[], env: Env = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    ['doctor', ...argv],
    { out: (l) => out.push(l), err: (l) => err.push(l), env },
    {
      dynamo: stores.dynamo,
      s3: stores.s3,
      cloudformation: new CloudFormationClient({ endpoint: cfn.endpoint, ...AWS }),
      ssm: new SSMClient({ endpoint: ssm.endpoint, ...AWS }),
      ...overrides,
    },
  );
  for (const line of [...out, ...err])
    for (const secret of [DOCTOR_SECRET, DOCTOR_TOKEN, 'doctor-rotating-secret-77']) {
      expect(line).not.toContain(secret);
    }
  return { code, out, err };
}

/** check → ✓ / ✗ / - from the text output. */
function marks(run: Run): Record<string, string> {
  const found: Record<string, string> = {};
  for (const line of run.out) {
    const m = /^([✓✗-]) (\S+)\s/.exec(line);
    if (m?.[1] && m[2]) found[m[2]] = m[1];
  }
  return found;
}

function line(run: Run, check: string): string {
  return run.out.find((l) => l.slice(2).startsWith(`${check} `)) ?? '';
}

/** The indented lines under a check's line. */
function detail(run: Run, check: string): string[] {
  const at = run.out.indexOf(line(run, check));
  const end = run.out.findIndex((l, i) => i > at && !l.startsWith(' '));
  return run.out.slice(at + 1, end === -1 ? undefined : end);
}

interface JsonCheck {
  check: string;
  ok: boolean;
  skipped: boolean;
  detail: string;
  fix: string | null;
  keys?: KeyPointer[];
}

/** Set pointer attributes as a move, pin, hold or crash would leave them. */
async function setPointer(
  key: string,
  to: { updatedAt?: string; pinReason?: string; heldRevision?: number; settled?: boolean },
): Promise<void> {
  const set: string[] = [];
  const remove: string[] = [];
  const values: Record<string, AttributeValue> = {};
  if (to.updatedAt) {
    set.push('updatedAt = :u');
    values[':u'] = { S: to.updatedAt };
  }
  if (to.pinReason) {
    set.push('pinned = :p', 'pinReason = :r');
    values[':p'] = { BOOL: true };
    values[':r'] = { S: to.pinReason };
  }
  if (to.heldRevision !== undefined) {
    set.push('heldRevision = :h');
    values[':h'] = { N: String(to.heldRevision) };
  }
  if (to.settled === true) remove.push('pendingEvent');
  if (to.settled === false) {
    set.push('pendingEvent = :e');
    values[':e'] = { S: 'event-not-yet-published' };
  }
  await stores.dynamo.send(
    new UpdateItemCommand({
      TableName: stores.table,
      Key: { pk: { S: key }, sk: { S: 'POINTER' } },
      UpdateExpression: [set.length ? `SET ${set.join(', ')}` : '', remove.length ? `REMOVE ${remove.join(', ')}` : ''].join(' ').trim(),
      ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
    }),
  );
}

/** Text and --json runs agree: `failing` is ✗ (ok false), `skipped` are -, every other check ✓; exit 1. */
async function expectOnly(argv: string[], failing: string, skipped: string[] = [], env: Env = {}): Promise<Run> {
  const text = await cli(argv, env);
  const json = await cli([...argv, '--json'], env);
  const expected = Object.fromEntries(CHECKS.map((c) => [c, c === failing ? '✗' : skipped.includes(c) ? '-' : '✓']));
  expect(marks(text)).toEqual(expected);
  expect(text.code).toBe(1);
  expect(json.code).toBe(1);
  const results = JSON.parse(json.out.join('\n')) as JsonCheck[];
  expect(results.map((r) => [r.check, r.ok, r.skipped])).toEqual(CHECKS.map((c) => [c, c !== failing, skipped.includes(c)]));
  expect(results.find((r) => r.check === failing)?.fix).toEqual(expect.any(String));
  return text;
}

beforeEach(async () => {
  servers = [];
  overrides = {};
  [stores, ssm, cfn, origin] = await Promise.all([freshStores(), startLocalSsm(), startLocalCloudFormation(), startOrigin()]);
  ssm.parameters.set(PARAMETER, PROJECTS);
  cfn.stacks.set(STACK, healthyStack(await serveWebhook()));
});
afterEach(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all([ssm.close(), cfn.close(), origin.close(), ...servers.map((s) => new Promise((r) => s.close(r)))]);
});

/** A signed delivery through the served webhook, so the table holds a real pointer. */
async function deliver(url: string, revision: number, key: string): Promise<void> {
  serveRevision(origin, revision, key);
  const body = payload({ revision, key, origin: origin.url });
  const res = await fetch(url, { method: 'POST', body, headers: { 'x-hub-signature': signBody(DOCTOR_SECRET, Buffer.from(body)) } });
  expect(res.status).toBe(200);
}

describe('datafile-sync doctor --stage', () => {
  it('passes every check of a healthy stage, one ✓ line each, and exits 0', async () => {
    await deliver(stack().outputs.WebhookUrl ?? '', 3, 'key_a');
    await deliver(stack().outputs.WebhookUrl ?? '', 5, 'key_b');

    const run = await cli(['--stage', STAGE, '--region', 'us-east-1']);

    expect(run.code).toBe(0);
    expect(marks(run)).toEqual(Object.fromEntries(CHECKS.map((c) => [c, '✓'])));
    expect(line(run, 'stack')).toBe(`✓ stack         ${STACK} UPDATE_COMPLETE, all 7 outputs present`);
    expect(line(run, 'config')).toBe(`✓ config        ${PARAMETER}: 1 project: ${PROJECT_ID} (2 secrets, Production, 1 access token)`);
    expect(line(run, 'webhook')).toMatch(/^✓ webhook {7}http:\/\/127\.0\.0\.1:\d+\/webhook answers an unsigned POST with 401 /);
    expect(line(run, 'table')).toBe(`✓ table         ${stores.table} reachable`);
    expect(line(run, 'bucket')).toBe(`✓ bucket        ${stores.bucket} reachable`);
    expect(line(run, 'pointers')).toMatch(/^✓ pointers {6}2 keys, newest moved \d+s ago \(key_b r5\); oldest \d+s ago \(key_a r3\)$/);
    expect(detail(run, 'pointers')).toEqual([
      expect.stringMatching(new RegExp(`^ {16}key_b  r5  \\d+s ago  ${PROJECT_ID} Production$`)),
      expect.stringMatching(new RegExp(`^ {16}key_a  r3  \\d+s ago  ${PROJECT_ID} Production$`)),
    ]);
    expect(line(run, 'reader-policy')).toBe(`✓ reader-policy DatafileReaderPolicy CREATE_COMPLETE: ${POLICY_ARN}`);
    expect(run.out.at(-1)).toBe('All 7 checks passed.');
    expect(ssm.reads).toContain(PARAMETER);
  });

  it('prints the same checks as a JSON array with --json', async () => {
    const run = await cli(['--stage', STAGE, '--json']);

    expect(run.code).toBe(0);
    const results = JSON.parse(run.out.join('\n')) as JsonCheck[];
    expect(results.map((r) => r.check)).toEqual(CHECKS);
    expect(results.every((r) => r.ok && !r.skipped && r.fix === null)).toBe(true);
  });

  it('lists each key under the pointers line, keys to look at first, at most 10, and every key in --json', async () => {
    const now = Date.now();
    for (let i = 1; i <= 12; i++) {
      const key = `key_${String(i).padStart(2, '0')}`;
      await publish(stores, key, 100 + i);
      // k01 moved 1m ago … k12 12m ago; publish leaves the move unsettled, the webhook would settle it.
      await setPointer(key, { updatedAt: new Date(now - (i * 60 + 20) * 1000).toISOString(), settled: true });
    }
    await setPointer('key_12', { pinReason: 'rollback: HighErrorRate' });
    await setPointer('key_11', { heldRevision: 112 });
    await setPointer('key_10', { settled: false });

    const run = await cli(['--stage', STAGE, '--region', 'us-east-1']);
    const json = await cli(['--stage', STAGE, '--json']);

    expect(run.code).toBe(0);
    expect(line(run, 'pointers')).toBe(
      '✓ pointers      12 keys, newest moved 1m ago (key_01 r101); oldest 12m ago (key_12 r112); 1 pinned, 1 held, 1 unsettled',
    );
    const row = (key: string, revision: number, age: string, state = '') =>
      `${' '.repeat(16)}${key}  r${revision}  ${age.padEnd(7)}  ${PROJECT_ID} Production${state ? `  ${state}` : ''}`;
    expect(detail(run, 'pointers').map((l) => l.trimEnd())).toEqual(
      [
        row('key_10', 110, '10m ago', 'unsettled'),
        row('key_11', 111, '11m ago', 'r112 held'),
        row('key_12', 112, '12m ago', 'pinned (rollback: HighErrorRate)'),
        ...[1, 2, 3, 4, 5, 6, 7].map((i) => row(`key_0${i}`, 100 + i, `${i}m ago`)),
        `${' '.repeat(16)}… and 2 more: datafile-sync status --table ${stores.table} --region us-east-1 lists every key`,
      ].map((l) => l.trimEnd()),
    );
    const pointers = (JSON.parse(json.out.join('\n')) as JsonCheck[]).find((r) => r.check === 'pointers');
    expect(pointers).not.toHaveProperty('lines');
    expect(pointers?.keys?.map((k) => k.key)).toHaveLength(12);
    expect(pointers?.keys?.find((k) => k.key === 'key_12')).toEqual({
      key: 'key_12',
      projectId: PROJECT_ID,
      environment: 'Production',
      revision: 112,
      updatedAt: new Date(now - (12 * 60 + 20) * 1000).toISOString(),
      age: '12m',
      ageSeconds: expect.any(Number),
      pinned: true,
      pinReason: 'rollback: HighErrorRate',
      unsettled: false,
    });
    expect(pointers?.keys?.find((k) => k.key === 'key_11')).toMatchObject({ heldRevision: 112, pinned: false, unsettled: false });
    expect(pointers?.keys?.find((k) => k.key === 'key_10')).toMatchObject({ unsettled: true });
    expect(pointers?.keys?.find((k) => k.key === 'key_01')).not.toHaveProperty('heldRevision');
  });

  it('passes a fresh deploy with no keys yet, with a hint to sync or send a webhook', async () => {
    const run = await cli(['--stage', STAGE]);

    expect(run.code).toBe(0);
    expect(line(run, 'pointers')).toMatch(/^✓ pointers +no keys yet: run `datafile-sync sync <sdkKey> --project <id>` or .*webhook/);
  });

  it('fails the stack line without the ConfigParameterName output, and checks the stage default parameter', async () => {
    delete stack().outputs.ConfigParameterName;
    ssm.parameters.set(DEFAULT_PARAMETER, PROJECTS);

    const run = await expectOnly(['--stage', STAGE], 'stack');

    expect(line(run, 'stack')).toBe(
      `✗ stack         ${STACK} UPDATE_COMPLETE but has no ConfigParameterName output — fix: redeploy this version: npx serverless deploy --stage ${STAGE}`,
    );
    expect(line(run, 'config')).toContain(`✓ config        ${DEFAULT_PARAMETER}: 1 project`);
  });

  it('requires exactly the outputs the templates declare: infra/outputs.yml, and infra/mirror.yml with the mirror', () => {
    const declared = (file: string) => {
      const yml = readFileSync(join(__dirname, '../../infra', file), 'utf8');
      const outputs = yml.slice(yml.search(/^Outputs:\s*$/m));
      return [...outputs.matchAll(/^ {2}([A-Za-z0-9]+):\s*$/gm)].map((m) => m[1]).sort();
    };

    expect([...STACK_OUTPUTS].sort()).toEqual(declared('outputs.yml'));
    expect([...MIRROR_STACK_OUTPUTS].sort()).toEqual(declared('mirror.yml'));
    expect(OPTIONAL_STACK_OUTPUTS).toEqual([]);
  });

  describe('with the SDK mirror on (the stack has its distribution)', () => {
    beforeEach(() => {
      stack().resources.MirrorDistribution = { status: 'CREATE_COMPLETE', physicalId: 'E2MIRROR', type: 'AWS::CloudFront::Distribution' };
      stack().outputs.MirrorUrlTemplate = 'https://d111.cloudfront.net/datafiles/%s.json';
      stack().outputs.MirrorDistributionId = 'E2MIRROR';
    });

    it('passes the stack line with the mirror outputs too', async () => {
      const run = await cli(['--stage', STAGE]);

      expect(run.code).toBe(0);
      expect(line(run, 'stack')).toBe(`✓ stack         ${STACK} UPDATE_COMPLETE, all 9 outputs present (SDK mirror on)`);
      expect(cfn.calls).toContain(`DescribeStackResource ${STACK} MirrorDistribution`);
    });

    it('fails the stack line when a mirror output is missing', async () => {
      delete stack().outputs.MirrorUrlTemplate;
      delete stack().outputs.MirrorDistributionId;

      const run = await expectOnly(['--stage', STAGE], 'stack');

      expect(line(run, 'stack')).toContain(
        `UPDATE_COMPLETE but has no MirrorUrlTemplate, MirrorDistributionId outputs — fix: redeploy this version`,
      );
    });
  });

  it('fails the stack line when the stack does not exist, skipping what needs its outputs', async () => {
    cfn.stacks.clear();
    ssm.parameters.set(DEFAULT_PARAMETER, PROJECTS);

    const run = await expectOnly(['--stage', STAGE], 'stack', ['webhook', 'table', 'bucket', 'pointers', 'reader-policy']);

    expect(line(run, 'stack')).toBe(
      `✗ stack         stack ${STACK} not found in us-east-1 — fix: deploy it (npx serverless deploy --stage ${STAGE}), or pass the --region and credentials it was deployed with`,
    );
    expect(line(run, 'table')).toBe('- table         skipped: needs the stack');
  });

  it('fails the stack line when an output is missing, and skips the check that needs it', async () => {
    delete stack().outputs.DatafileBucketName;

    const run = await expectOnly(['--stage', STAGE], 'stack', ['bucket']);

    expect(line(run, 'stack')).toContain(`${STACK} UPDATE_COMPLETE but has no DatafileBucketName output — fix: redeploy this version`);
    expect(line(run, 'bucket')).toBe('- bucket        skipped: the stack has no DatafileBucketName output');
  });

  it('fails the stack line while the stack is rolled back', async () => {
    stack().status = 'UPDATE_ROLLBACK_COMPLETE';

    const run = await expectOnly(['--stage', STAGE], 'stack');

    expect(line(run, 'stack')).toContain(`is UPDATE_ROLLBACK_COMPLETE — fix: wait for the operation to finish`);
  });

  describe('the configuration parameter', () => {
    // The function loaded its configuration before the parameter changed (a warm container keeps it;
    // its clock is frozen, so no re-read): only the config line may fail.
    beforeEach(async () => {
      expect((await fetch(stack().outputs.WebhookUrl ?? '', { method: 'POST', body: '{}' })).status).toBe(401);
    });

    it('fails the config line when the SSM parameter does not exist, with the command to create it in that region', async () => {
      ssm.parameters.delete(PARAMETER);
      // As the CLI builds it for --region eu-west-1 (the stand-in ignores the region).
      overrides = { ssm: new SSMClient({ endpoint: ssm.endpoint, ...AWS, region: 'eu-west-1' }) };

      const run = await expectOnly(['--stage', STAGE, '--region', 'eu-west-1'], 'config');

      expect(line(run, 'config')).toContain(
        `✗ config        SSM parameter ${PARAMETER} not found — fix: create it: aws ssm put-parameter --region eu-west-1 --type SecureString --name ${PARAMETER} --value file://projects.json`,
      );
    });

    // The stand-in has no IAM or KMS, so the refusals are injected as SSM answers them.
    const refuse = (name: string, message: string) => {
      const error = () => Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
      const faulty = withFaults(new SSMClient({ endpoint: ssm.endpoint, ...AWS }), [
        { command: GetParameterCommand, when: 'before', nth: 'all', error },
      ]);
      overrides = { ssm: faulty.client };
    };

    it.each([
      [
        'KMS refuses kms:Decrypt',
        'AccessDeniedException',
        'User: arn:aws:iam::123456789012:user/operator is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:123456789012:key/1111 because no identity-based policy allows the kms:Decrypt action (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException)',
      ],
      [
        'the key is not accessible',
        'AccessDeniedException',
        'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access. (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException)',
      ],
      ['the key id is invalid', 'InvalidKeyId', 'The query key ID is not valid.'],
    ])('fails the config line when the parameter cannot be decrypted (%s), naming kms:Decrypt on its key', async (_, name, message) => {
      refuse(name, message);

      const run = await expectOnly(['--stage', STAGE], 'config');

      expect(line(run, 'config')).toContain(`✗ config        could not decrypt SSM parameter ${PARAMETER} (${name}: ${message}) — fix: `);
      expect(line(run, 'config')).toContain(
        `— fix: your credentials need kms:Decrypt on the parameter's KMS key (its KeyId: aws ssm describe-parameters --region us-east-1 --parameter-filters Key=Name,Values=${PARAMETER}), and the key must be enabled`,
      );
    });

    it('fails the config line when the parameter cannot be read, naming ssm:GetParameter', async () => {
      refuse(
        'AccessDeniedException',
        `User: arn:aws:iam::123456789012:user/operator is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:us-east-1:123456789012:parameter${PARAMETER}`,
      );

      const run = await expectOnly(['--stage', STAGE], 'config');

      expect(line(run, 'config')).toContain(`✗ config        could not read SSM parameter ${PARAMETER} (AccessDeniedException: User:`);
      expect(line(run, 'config')).toContain(`— fix: your credentials need ssm:GetParameter on ${PARAMETER} and kms:Decrypt on its key`);
    });

    it.each([
      ['is not JSON', 'not json {', `SSM parameter ${PARAMETER} is not valid JSON.`],
      ['has a bad project id', JSON.stringify({ projects: { abc: { secrets: [DOCTOR_SECRET] } } }), 'project id "abc" must be digits'],
      ['has a short secret', JSON.stringify({ projects: { [PROJECT_ID]: { secrets: ['short'] } } }), 'needs "secrets"'],
      ['has no projects', JSON.stringify({ projects: {} }), 'no projects configured'],
    ])('fails the config line when the parameter %s, naming the problem', async (_, value, problem) => {
      ssm.parameters.set(PARAMETER, value);

      const run = await expectOnly(['--stage', STAGE], 'config');

      expect(line(run, 'config')).toContain(problem);
      expect(line(run, 'config')).toContain('— fix: correct the JSON');
      expect(line(run, 'config')).toContain(
        `and: aws ssm put-parameter --region us-east-1 --overwrite --type SecureString --name ${PARAMETER}`,
      );
    });
  });

  it('fails the webhook line when the function answers 5xx, pointing at its log', async () => {
    stack().outputs.WebhookUrl = await serveWebhook({ kind: 'ssm', ttlMs: 300_000, parameter: '/not/there' });

    const run = await expectOnly(['--stage', STAGE], 'webhook');

    expect(line(run, 'webhook')).toMatch(
      /^✗ webhook +http:\S+ answered 503 config_unavailable — fix: the function failed to load its configuration/,
    );
    expect(line(run, 'webhook')).toContain(`aws logs tail /aws/lambda/${STACK}-webhook`);
  });

  it('fails the webhook line when the URL is wrong (404) or nothing answers', async () => {
    const url = stack().outputs.WebhookUrl ?? '';
    stack().outputs.WebhookUrl = url.replace('/webhook', '/hook');
    const wrongPath = await expectOnly(['--stage', STAGE], 'webhook');
    stack().outputs.WebhookUrl = `http://127.0.0.1:${await freePort()}/webhook`;

    const unreachable = await expectOnly(['--stage', STAGE], 'webhook');

    expect(line(wrongPath, 'webhook')).toContain('answered 404 not_found — fix: wrong URL or stage');
    expect(line(unreachable, 'webhook')).toContain('did not answer (ECONNREFUSED) — fix: the URL is wrong or the API is gone');
  });

  it('fails the table line when the table does not exist, and skips the pointers', async () => {
    stack().outputs.DatafileTableName = 'no-such-table';

    const run = await expectOnly(['--stage', STAGE], 'table', ['pointers']);

    expect(line(run, 'table')).toContain('✗ table         table no-such-table not found — fix: the stack output names it');
  });

  it('fails the bucket line when the bucket does not exist', async () => {
    stack().outputs.DatafileBucketName = 'no-such-bucket-doctor';

    const run = await expectOnly(['--stage', STAGE], 'bucket');

    expect(line(run, 'bucket')).toContain('✗ bucket        bucket no-such-bucket-doctor not found');
  });

  // DynamoDB Local has no IAM, so the denied Scan is injected; DescribeTable still reaches the table.
  it('fails the pointers line when the pointers cannot be listed, naming the permission', async () => {
    const denied = withFaults(stores.dynamo, [
      { command: ScanCommand, when: 'before', nth: 'all', error: () => awsError('AccessDeniedException') },
    ]);
    overrides = { dynamo: denied.client };

    const run = await expectOnly(['--stage', STAGE], 'pointers');

    expect(line(run, 'pointers')).toBe(
      `✗ pointers      could not list pointers in ${stores.table} (AccessDeniedException: injected AccessDeniedException) — fix: your credentials need dynamodb:Scan on the table and its indexes`,
    );
    expect(denied.fired()).toBeGreaterThanOrEqual(2);
  });

  it('fails the reader-policy line when the stack has no reader policy resource', async () => {
    stack().resources = {};

    const run = await expectOnly(['--stage', STAGE], 'reader-policy');

    expect(line(run, 'reader-policy')).toContain('the stack has no DatafileReaderPolicy resource — fix: redeploy');
    expect(cfn.calls).toContain(`DescribeStackResource ${STACK} DatafileReaderPolicy`);
  });

  it('exits 2 without --stage or --local, or with both', async () => {
    const neither = await cli([]);
    const both = await cli(['--stage', STAGE, '--local']);

    expect([neither.code, both.code]).toEqual([2, 2]);
    expect(neither.err.join('\n')).toContain('doctor needs --stage <stage> (and --region) or --local.');
  });
});

describe("doctor's own AWS clients", () => {
  // The SDK's per-service endpoint variables point the CLI's default clients at the stand-ins.
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    const env = {
      AWS_ENDPOINT_URL_CLOUDFORMATION: cfn.endpoint,
      AWS_ENDPOINT_URL_SSM: ssm.endpoint,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    };
    for (const [name, value] of Object.entries(env)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('are built with the shared client configuration: its timeouts and attempt limit', async () => {
    const cloudformation = defaultCloudFormationClient('eu-west-1');
    const parameters = defaultSsmClient('eu-west-1');

    // A handler resolves its options on its first request.
    expect((await describeStack(cloudformation, STACK))?.status).toBe('UPDATE_COMPLETE');
    expect(await readParameter(parameters, PARAMETER)).toBe(PROJECTS);

    const shared = clientConfig({ region: 'eu-west-1' });
    for (const client of [cloudformation, parameters]) {
      const handler = client.config.requestHandler as unknown as { httpHandlerConfigs(): Record<string, unknown> };
      expect(await client.config.region()).toBe('eu-west-1');
      expect(await client.config.maxAttempts()).toBe(shared.maxAttempts);
      expect(handler.httpHandlerConfigs()).toMatchObject(shared.requestHandler);
    }
  });
});

describe('datafile-sync doctor --local', () => {
  const LOCAL_SECRET = DOCTOR_SECRET;
  let env: Env;

  beforeEach(async () => {
    const url = await serveWebhook({ kind: 'static', config: new Map([['*', { secrets: [LOCAL_SECRET], accessTokens: new Map() }]]) });
    env = { PORT: new URL(url).port, WEBHOOK_SECRET: LOCAL_SECRET };
  });

  const local = () => ['--local', '--table', stores.table, '--bucket', stores.bucket];

  it('passes the checks that apply locally and reports the AWS-only ones as skipped', async () => {
    await deliver(`http://127.0.0.1:${env.PORT}/webhook`, 4, 'local_key');

    const run = await cli(local(), env);

    expect(run.code).toBe(0);
    expect(run.out).toEqual([
      '- stack         skipped: no CloudFormation stack locally',
      '✓ config        WEBHOOK_SECRET: 1 secret, accepted for any project id',
      `✓ webhook       http://127.0.0.1:${env.PORT}/webhook answers an unsigned POST with 401 (route, function and configuration load work)`,
      `✓ table         ${stores.table} reachable`,
      `✓ bucket        ${stores.bucket} reachable`,
      expect.stringMatching(/^✓ pointers {6}1 key, newest moved \d+s ago \(local_key r4\)$/),
      expect.stringMatching(new RegExp(`^ {16}local_key  r4  \\d+s ago  ${PROJECT_ID} Production$`)),
      '- reader-policy skipped: no IAM locally',
      'All 5 checks passed (2 skipped).',
    ]);
    expect(cfn.calls).toEqual([]);
  });

  it('fails the webhook line with "npm start" when nothing listens on PORT', async () => {
    const run = await expectOnly(local(), 'webhook', ['stack', 'reader-policy'], { ...env, PORT: String(await freePort()) });

    expect(line(run, 'webhook')).toContain('— fix: start the local stack: npm start');
  });

  it('fails the config line when SYNC_PROJECTS does not parse', async () => {
    const run = await expectOnly(local(), 'config', ['stack', 'reader-policy'], { ...env, SYNC_PROJECTS: '{"projects":[]}' });

    expect(line(run, 'config')).toContain('SYNC_PROJECTS must be an object with a "projects" object.');
  });

  it('fails the table and bucket lines when the local stack has neither', async () => {
    const run = await cli(['--local', '--table', 'absent-table', '--bucket', 'absent-bucket'], env);

    expect(run.code).toBe(1);
    expect(marks(run)).toMatchObject({ table: '✗', bucket: '✗', pointers: '-', webhook: '✓' });
    expect(line(run, 'table')).toContain('— fix: restart the local stack (npm start creates it)');
  });
});
