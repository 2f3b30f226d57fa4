import { parseArgs } from 'node:util';
import { approve } from './commands/approve';
import { diff } from './commands/diff';
import { doctor } from './commands/doctor';
import { held } from './commands/held';
import { history } from './commands/history';
import { pin, unpin } from './commands/pin';
import { status } from './commands/status';
import { sync } from './commands/sync';
import { verify } from './commands/verify';
import { EXIT, exitFor, UsageError } from './exit';
import { type CliIo, processIo, stderrLogger } from './io';
import { type CliClients, resolveTarget } from './target';

export const USAGE = `Usage: datafile-sync <command> [options]

Commands:
  status [key]                   where each pointer is (table, or --json)
  history <key>                  every stored revision with time, size, sha256, HELD/APPROVED and
                                 one line of what it changed
  diff <key> [<from>] <to>       what changed between two stored revisions (default from: the one
                                 before <to>), one line per change (or --json)
  held [key]                     revisions guardrails held, with their violations (or --json)
  approve <key> <revision>       put a held (or any newer stored) revision live: bytes verified,
                                 pointer moved (reason approve), marked APPROVED in history
  pin <key> <revision>           move the pointer and latest.json to a stored revision and hold it
  unpin <key>                    release the pin; the pointer moves to the newest stored revision
  sync <sdkKey> --project <id>   fetch the current datafile from Optimizely and store it
                                 [--environment <name>] [--token <datafile access token>]
  verify [key]                   audit S3 objects, sha256s and latest.json against the table
  doctor                         check a deployed stage (--stage, --region) or --local end to end:
                                 stack outputs, SSM config, webhook answers 401, table, bucket,
                                 pointers, reader policy (one ✓/✗ line each, or --json)

Target (one of):
  --local                        the local stack (npm start)
  --stage <stage>                the deployed stack optimizely-datafile-sync-<stage> (+ --bucket)
  --table <name> --bucket <name> explicit names (or DATAFILE_TABLE / DATAFILE_BUCKET)
  --bus <name>                   EventBridge bus for change events (default per stage; EVENT_BUS_NAME)
  --region <region>              AWS region (default AWS_REGION or your profile's)

Exit codes: 0 ok, 1 verify or doctor found problems, 2 usage, 3 not found, 4 AWS/store error, 5 Optimizely fetch failed,
            6 refused: the target's stored bytes are missing or corrupt, or approve while pinned or backwards (nothing moved)`;

const OPTIONS = {
  local: { type: 'boolean' },
  stage: { type: 'string' },
  table: { type: 'string' },
  bucket: { type: 'string' },
  bus: { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean' },
  project: { type: 'string' },
  environment: { type: 'string' },
  token: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Run one CLI command; resolves to the exit code. Tests inject `io` and clients. */
export async function runCli(argv: string[], io: CliIo = processIo, clients: CliClients = {}): Promise<number> {
  try {
    let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
    try {
      parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const { values: flags, positionals } = parsed;
    const [command, ...args] = positionals;
    if (flags.help || !command) {
      (flags.help ? io.out : io.err)(USAGE);
      return flags.help ? EXIT.ok : EXIT.usage;
    }
    const target = () => resolveTarget(flags, io.env, stderrLogger(io), clients);
    const arg = (i: number, name: string) => {
      const value = args[i];
      if (value === undefined) throw new UsageError(`${command} needs <${name}>.`);
      return value;
    };
    const atMost = (n: number) => {
      if (args.length > n) throw new UsageError(`${command}: unexpected argument "${args[n]}".`);
    };
    switch (command) {
      case 'status':
        atMost(1);
        return await status(target(), io, args[0], Boolean(flags.json));
      case 'history':
        atMost(1);
        return await history(target(), io, arg(0, 'key'), Boolean(flags.json));
      case 'diff': {
        atMost(3);
        const revisions = args.slice(1).map(revisionArg);
        if (revisions.length === 0) throw new UsageError('diff needs <key> [<from>] <to>.');
        return await diff(target(), io, arg(0, 'key'), revisions, Boolean(flags.json));
      }
      case 'held':
        atMost(1);
        return await held(target(), io, args[0], Boolean(flags.json));
      case 'approve':
        atMost(2);
        return await approve(target(), io, arg(0, 'key'), revisionArg(arg(1, 'revision')));
      case 'pin':
        atMost(2);
        return await pin(target(), io, arg(0, 'key'), revisionArg(arg(1, 'revision')));
      case 'unpin':
        atMost(1);
        return await unpin(target(), io, arg(0, 'key'));
      case 'sync':
        atMost(1);
        return await sync(target(), io, arg(0, 'sdkKey'), flags);
      case 'verify':
        atMost(1);
        return await verify(target(), io, args[0]);
      case 'doctor':
        atMost(0);
        return await doctor(flags, io, clients);
      default:
        throw new UsageError(`Unknown command "${command}". Run with --help.`);
    }
  } catch (error) {
    const { code, message } = exitFor(error);
    io.err(`datafile-sync: ${message}`);
    return code;
  }
}

function revisionArg(raw: string): number {
  if (!/^[1-9]\d{0,14}$/.test(raw)) throw new UsageError(`<revision> must be a positive integer, got "${raw}".`);
  return Number(raw);
}
