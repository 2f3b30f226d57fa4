import { defaultSsmClient } from '../../aws/ssm-read';
import { defaultCloudFormationClient, stackName } from '../../aws/stack';
import { localChecks } from '../doctor/local';
import { type CheckResult, renderJson, renderLines, scrub } from '../doctor/report';
import { stageChecks } from '../doctor/stage';
import { EXIT, UsageError } from '../exit';
import type { CliIo } from '../io';
import { type CliClients, LOCAL, storeClients, type TargetFlags } from '../target';

export interface DoctorFlags extends TargetFlags {
  json?: boolean;
}

/**
 * `doctor --stage <stage> [--region <region>]` right after a deploy, or `doctor --local`: one line
 * per check (✓ / ✗ with its fix / - skipped), or `--json`. Exit 0 only when every check passes.
 * Nothing it prints contains a webhook secret or access token.
 */
export async function doctor(flags: DoctorFlags, io: CliIo, clients: CliClients, now = new Date()): Promise<number> {
  if (Boolean(flags.local) === Boolean(flags.stage)) throw new UsageError('doctor needs --stage <stage> (and --region) or --local.');
  if (flags.stage !== undefined && !/^[A-Za-z0-9-]{1,64}$/.test(flags.stage)) {
    throw new UsageError(`--stage must be letters, digits and dashes, got "${flags.stage}".`);
  }
  if (flags.region !== undefined && !/^[a-z]{2}(-[a-z0-9]+)+$/.test(flags.region)) {
    throw new UsageError(`--region must be an AWS region such as eu-west-1, got "${flags.region}".`);
  }
  const secrets = new Set<string>();
  const stores = storeClients(flags, io.env, clients);
  let results: CheckResult[];
  if (flags.stage) {
    io.err(`Checking ${stackName(flags.stage)}${flags.region ? ` in ${flags.region}` : ''}…`);
    results = await stageChecks({
      stage: flags.stage,
      region: flags.region,
      cloudformation: clients.cloudformation ?? defaultCloudFormationClient(flags.region),
      ssm: clients.ssm ?? defaultSsmClient(flags.region),
      ...stores,
      now,
      secrets,
    });
  } else {
    io.err('Checking the local stack…');
    const names = { table: flags.table ?? LOCAL.table, bucket: flags.bucket ?? LOCAL.bucket };
    results = await localChecks({ ...names, ...stores, env: io.env, now, secrets });
  }
  const failures = results.filter((r) => !r.ok).length;
  const skipped = results.filter((r) => r.skipped).length;
  const ran = results.length - skipped;
  const summary =
    failures === 0 ? `All ${ran} checks passed${skipped ? ` (${skipped} skipped)` : ''}.` : `${failures} of ${ran} checks failed.`;
  const lines = flags.json ? [renderJson(results)] : [...results.flatMap(renderLines), summary];
  for (const line of lines) io.out(scrub(line, secrets));
  return failures === 0 ? EXIT.ok : EXIT.problems;
}
