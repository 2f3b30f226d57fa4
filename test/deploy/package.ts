import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Template } from './template';

const ROOT = resolve(__dirname, '../..');
const SERVERLESS = join(ROOT, 'node_modules', '.bin', 'serverless');

export interface Packaged {
  dir: string;
  template: Template;
  /** The artifact of one function, e.g. `webhook.zip`. */
  artifact(functionName: string): Buffer;
}

/**
 * `serverless package` for one stage, offline: dummy credentials, no telemetry, artifacts in a
 * fresh temporary directory. Extra `--param key=value` pairs override serverless.yml params.
 *
 * Each run gets its own service directory (links to this repository's files, a copy of
 * serverless.yml), so parallel runs share nothing: osls stages every packaging in
 * `<service dir>/.serverless` and deletes that folder before and after, so two packagings of one
 * directory (jest runs test files in parallel) would delete each other's files; esbuild's work
 * folder lives there too.
 */
export async function packageStack(stage: string, params: Record<string, string> = {}): Promise<Packaged> {
  const dir = mkdtempSync(join(tmpdir(), `sls-${stage}-`));
  const serviceDir = mkdtempSync(join(tmpdir(), `sls-service-${stage}-`));
  try {
    for (const entry of readdirSync(ROOT)) {
      if (PRIVATE_TO_A_RUN.has(entry)) continue;
      // osls looks for serverless.yml with lstat: a link would not count as the service's config.
      if (entry === 'serverless.yml') copyFileSync(join(ROOT, entry), join(serviceDir, entry));
      else symlinkSync(join(ROOT, entry), join(serviceDir, entry));
    }
    await serverless(['package', '--stage', stage, '--package', dir], params, { cwd: serviceDir });
  } catch (error) {
    // The caller never gets `dir` to remove: a failed packaging must not leave it in the temp folder.
    rmSync(dir, { recursive: true, force: true });
    throw error;
  } finally {
    rmSync(serviceDir, { recursive: true, force: true });
  }
  const template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
  return { dir, template, artifact: (name) => readFileSync(join(dir, `${name}.zip`)) };
}

/** What a packaging writes into its service directory (and .git, which it never reads). */
const PRIVATE_TO_A_RUN = new Set(['.serverless', '.esbuild', '.git']);

/**
 * Every stage/param combination the deploy tests package, by name: `ci` with the defaults, `prod` with
 * every param a user is told to override, `nomirror` with the SDK mirror off. Checks that must hold
 * for any deployable template (test/deploy/cloudformation.test.ts) run on each of them.
 */
export const VARIANTS = {
  ci: { stage: 'ci', params: {} },
  prod: {
    stage: 'prod',
    params: {
      eventBusName: 'shared-bus',
      reconcileEnabled: 'false',
      reconcileRate: 'rate(1 hour)',
      alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:ops',
      rollbackAlarmNames: 'checkout-5xx,api-latency',
      rollbackBakeMinutes: '15',
      tableDeletionProtection: 'true',
    },
  },
  nomirror: { stage: 'nomirror', params: { mirrorEnabled: 'false' } },
} satisfies Record<string, { stage: string; params: Record<string, string> }>;

export type Variant = keyof typeof VARIANTS;

/** `packageStack` for one of the named VARIANTS. */
export function packageVariant(name: Variant): Promise<Packaged> {
  const { stage, params } = VARIANTS[name];
  return packageStack(stage, params);
}

/** The configuration serverless resolved for a stage (`serverless print`): no bundling, a few seconds. */
export interface PrintedConfig {
  provider: { environment: Record<string, unknown> };
  custom: Record<string, unknown>;
  /** The merged infra/*.yml fragments, exactly as `serverless package` copies them into the template. */
  resources: Template;
  build?: unknown;
  configValidationMode?: string;
  /** What serverless printed on stderr (configuration validation warnings). */
  log: string;
}

export async function printStack(stage: string, params: Record<string, string> = {}): Promise<PrintedConfig> {
  const { stdout, stderr } = await serverless(['print', '--stage', stage, '--format', 'json'], params);
  return { ...(JSON.parse(stdout) as Omit<PrintedConfig, 'log'>), log: stderr };
}

/** Runs the serverless CLI offline: dummy credentials, no telemetry, output captured. */
async function serverless(args: string[], params: Record<string, string>, { cwd = ROOT }: { cwd?: string } = {}) {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: 'dummy',
    AWS_SECRET_ACCESS_KEY: 'dummy',
    AWS_REGION: 'us-east-1',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
  };
  const all = [...args, ...Object.entries(params).flatMap(([k, v]) => ['--param', `${k}=${v}`])];
  try {
    return await promisify(execFile)(SERVERLESS, all, { cwd, env, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`serverless ${all.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

export interface ZipEntry {
  name: string;
  size: number;
}

/** Names and uncompressed sizes of a zip's entries, read from its central directory. */
export function zipEntries(zip: Buffer): ZipEntry[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip archive');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('corrupt central directory');
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    entries.push({ name: zip.toString('utf8', at + 46, at + 46 + nameLength), size: zip.readUInt32LE(at + 24) });
    at += 46 + skip;
  }
  return entries;
}
