import { createHash } from 'node:crypto';
import { diffDatafiles, formatDiff, oneLine, summarize } from '../../changes';
import type { StoredRevision } from '../../sync/ports';
import { verifyBytes } from '../../sync/stored-bytes';
import { NotFoundError } from '../exit';
import type { CliIo } from '../io';
import type { Target } from '../target';

/**
 * `diff <key> [<from>] <to>`: what changed between two stored revisions (default from = the newest
 * stored revision below `to`), one line per change; `--json` prints the whole diff. Both objects are
 * read and checked against their recorded sha256 first.
 */
export async function diff(target: Target, io: CliIo, key: string, revisions: number[], json: boolean): Promise<number> {
  await target.check({ bucket: true });
  const to = revisions[revisions.length - 1] as number;
  const next = await stored(target, key, to);
  const previous = revisions.length > 1 ? await stored(target, key, revisions[0] as number) : await target.ledger.newestBelow(key, to);
  const [before, after] = await Promise.all([previous ? read(target, previous) : undefined, read(target, next)]);
  const result = diffDatafiles(before, after);
  if (json) {
    io.out(JSON.stringify({ key, from: previous?.revision ?? null, to, ...result }, null, 2));
    return 0;
  }
  io.out(`${key}: ${previous ? `revision ${previous.revision} → ${to}` : `revision ${to} (first stored)`}: ${oneLine(summarize(result))}`);
  for (const line of formatDiff(result)) io.out(`  ${line}`);
  return 0;
}

async function stored(target: Target, key: string, revision: number): Promise<StoredRevision> {
  const rev = await target.ledger.getRevision(key, revision);
  if (!rev) throw new NotFoundError(`Revision ${revision} of ${key} is not stored (see: history ${key}).`);
  return rev;
}

/** The revision's datafile, parsed, once its bytes match the recorded sha256. */
async function read(target: Target, rev: StoredRevision): Promise<unknown> {
  let bytes = await target.store.readObject(rev.s3Key);
  if (!bytes || createHash('sha256').update(bytes).digest('hex') !== rev.sha256) {
    await verifyBytes(rev, target.store); // throws object_missing / object_corrupt with the usual message
    bytes = await target.store.readObject(rev.s3Key);
  }
  return JSON.parse((bytes ?? Buffer.from('null')).toString('utf8'));
}
