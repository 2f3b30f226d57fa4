import type { SSMClient } from '@aws-sdk/client-ssm';
import { readParameter } from '../../aws/ssm-read';
import type { Env } from '../../config';
import { type ProjectsConfig, parseProjectsConfig } from '../../config';
import { ConfigError } from '../../errors';
import { type CheckResult, fail, failed, pass } from './report';

const CHECK = 'config';
const SHAPE = '{"projects":{"<project id>":{"secrets":["<webhook secret>"],"environments":["Production"]}}}';

/**
 * The deployed configuration: the SSM SecureString exists, decrypts and parses. Reports projects
 * with counts only; every secret and token it loads is added to `secrets` so output can be scrubbed.
 */
export async function checkParameter(ssm: SSMClient, name: string, secrets: Set<string>): Promise<CheckResult> {
  // The fix commands name the region doctor read from: without it they go to the shell's default.
  const region = await ssm.config.region().catch(() => undefined);
  const put = `aws ssm put-parameter${region ? ` --region ${region}` : ''}`;
  let value: string | undefined;
  try {
    value = await readParameter(ssm, name);
  } catch (e) {
    if (isDecryptError(e)) {
      return failed(
        CHECK,
        `decrypt SSM parameter ${name}`,
        e,
        `your credentials need kms:Decrypt on the parameter's KMS key (its KeyId: aws ssm describe-parameters${region ? ` --region ${region}` : ''} --parameter-filters Key=Name,Values=${name}), and the key must be enabled`,
      );
    }
    return failed(CHECK, `read SSM parameter ${name}`, e, `your credentials need ssm:GetParameter on ${name} and kms:Decrypt on its key`);
  }
  if (value === undefined) {
    return fail(
      CHECK,
      `SSM parameter ${name} not found`,
      `create it: ${put} --type SecureString --name ${name} --value file://projects.json (shape ${SHAPE})`,
    );
  }
  return parsed(() => parseProjectsConfig(value, `SSM parameter ${name}`), secrets, `${name}: `, {
    fix: `correct the JSON (shape ${SHAPE}) and: ${put} --overwrite --type SecureString --name ${name} --value file://projects.json`,
  });
}

/**
 * GetParameter found the parameter but KMS refused to decrypt it: SSM passes KMS's AccessDenied on
 * (`… kms:Decrypt …` / `(Service: AWSKMS; …)` / `The ciphertext refers to a customer master key …`),
 * or answers InvalidKeyId for a disabled or deleted key. Parameter names cannot contain `:`, so
 * `kms:` in the message is never the name.
 */
function isDecryptError(e: unknown): boolean {
  const { name, message } = (e ?? {}) as { name?: string; message?: string };
  return name === 'InvalidKeyId' || /kms:|Service: AWSKMS|ciphertext refers to/i.test(message ?? '');
}

/**
 * The local stack's configuration, read as the webhook reads it: SYNC_PROJECTS (JSON), else
 * WEBHOOK_SECRET, else the printed development secret (any project id).
 */
export function checkLocalConfig(env: Env, secrets: Set<string>): CheckResult {
  if (env.SYNC_PROJECTS) {
    return parsed(() => parseProjectsConfig(env.SYNC_PROJECTS ?? '', 'SYNC_PROJECTS'), secrets, 'SYNC_PROJECTS: ', {
      fix: `set SYNC_PROJECTS to JSON shaped ${SHAPE}, or unset it to use WEBHOOK_SECRET`,
    });
  }
  if (env.WEBHOOK_SECRET !== undefined) {
    secrets.add(env.WEBHOOK_SECRET);
    if (env.WEBHOOK_SECRET.length < 8) return fail(CHECK, 'WEBHOOK_SECRET is shorter than 8 characters', 'use a longer WEBHOOK_SECRET');
    return pass(CHECK, 'WEBHOOK_SECRET: 1 secret, accepted for any project id');
  }
  return pass(CHECK, 'the development secret npm start prints, accepted for any project id (set WEBHOOK_SECRET to change)');
}

function parsed(load: () => ProjectsConfig, secrets: Set<string>, prefix: string, hints: { fix: string }): CheckResult {
  let config: ProjectsConfig;
  try {
    config = load();
  } catch (e) {
    // ConfigError messages name the field and project id, never a value.
    if (e instanceof ConfigError) return fail(CHECK, e.message, hints.fix);
    throw e;
  }
  if (config.size === 0) return fail(CHECK, `${prefix}no projects configured, so every webhook is refused`, hints.fix);
  for (const p of config.values()) {
    for (const s of p.secrets) secrets.add(s);
    for (const t of p.accessTokens.values()) secrets.add(t);
  }
  return pass(CHECK, `${prefix}${describeProjects(config)}`);
}

/** `2 projects: 1234 (2 secrets, Production), 5678 (1 secret, all environments, 1 access token)`. */
export function describeProjects(config: ProjectsConfig): string {
  const parts = [...config].map(([id, p]) => {
    const bits = [
      plural(p.secrets.length, 'secret'),
      p.environments ? p.environments.join(' + ') || 'no environments' : 'all environments',
    ];
    const tokens = p.accessTokens.size;
    if (tokens > 0) bits.push(plural(tokens, 'access token'));
    return `${id === '*' ? 'any project' : id} (${bits.join(', ')})`;
  });
  return `${plural(config.size, 'project')}: ${parts.join(', ')}`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
