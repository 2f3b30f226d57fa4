import { sdkAccepts } from '../../changes/sdk-check';
import { datafileBases, fetchPolicy } from '../../config';
import { isValidKey } from '../../layout';
import { syncKey } from '../../sync/sync-key';
import { UsageError } from '../exit';
import type { CliIo } from '../io';
import type { Target } from '../target';

export interface SyncFlags {
  project?: string;
  environment?: string;
  /** Datafile access token of a secure environment (or DATAFILE_ACCESS_TOKEN). */
  token?: string;
}

/**
 * `sync <sdkKey> --project <id>`: fetch the current datafile from Optimizely and store it through
 * the webhook's core path (the bootstrap for a new environment, or the repair for a missed webhook).
 * Fetch limits and hosts come from the same variables as the webhook (ALLOWED_HOSTS, …). The real
 * SDK's acceptance check runs as in the webhook (a datafile it rejects is stored and held); a
 * project's guardrails do not, since the CLI has no projects configuration.
 */
export async function sync(target: Target, io: CliIo, key: string, flags: SyncFlags): Promise<number> {
  if (!isValidKey(key)) throw new UsageError(`"${key}" is not an SDK key (letters, digits, _ and -).`);
  if (!flags.project || !/^\d+$/.test(flags.project)) throw new UsageError('sync needs --project <numeric project id>.');
  await target.check({ bucket: true });
  const token = flags.token ?? io.env.DATAFILE_ACCESS_TOKEN;
  io.err(`Fetching ${key} from Optimizely…`);
  const outcome = await syncKey(
    { key, projectId: flags.project, environment: flags.environment, reason: 'sync' },
    {
      ...target,
      bases: datafileBases(io.env),
      policy: fetchPolicy(io.env),
      token: async () => token,
      changes: { guardrails: {}, sdk: sdkAccepts },
    },
  );
  const moved = outcome.previous !== undefined ? ` (was ${outcome.previous})` : '';
  io.out(`${outcome.status}: ${key} revision ${outcome.revision}; pointer at ${outcome.current ?? '-'}${moved}.`);
  for (const v of outcome.violations ?? []) io.out(`  held by ${v.rule}: ${v.message}`);
  return 0;
}
