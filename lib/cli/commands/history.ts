import { oneLine } from '../../changes';
import type { StoredRevision } from '../../sync/ports';
import { NotFoundError } from '../exit';
import { type CliIo, table } from '../io';
import type { Target } from '../target';

/**
 * `history <key>`: every stored revision, oldest first, with time, size, sha256 (`*` = current), HELD /
 * APPROVED, and one line of what it changed since the revision before it.
 */
export async function history(target: Target, io: CliIo, key: string, json: boolean): Promise<number> {
  await target.check();
  const [revisions, pointer, rollbacks] = await Promise.all([
    target.ledger.history(key),
    target.ledger.getPointer(key),
    target.ledger.rollbacks(key),
  ]);
  if (revisions.length === 0) throw new NotFoundError(`Key ${key} has no stored revisions in ${target.table}.`);
  if (json) {
    io.out(
      JSON.stringify(
        revisions.map((r) => ({
          ...r,
          current: r.revision === pointer?.revision,
          rollbacks: rollbacks.filter((b) => b.fromRevision === r.revision),
        })),
        null,
        2,
      ),
    );
    return 0;
  }
  const rows = revisions.map((r) => [
    r.revision === pointer?.revision ? `*${r.revision}` : ` ${r.revision}`,
    r.storedAt,
    String(r.size),
    r.sha256,
    mark(r),
    r.summary ? oneLine(r.summary) : '',
  ]);
  for (const line of table([' REVISION', 'STORED', 'BYTES', 'SHA256', 'STATE', 'CHANGES'], rows)) io.out(line);
  // Alarm rollbacks (lib/sync/rollback.ts), each logged with its move.
  for (const b of rollbacks) io.out(`Rolled back ${b.fromRevision ?? '?'} → ${b.toRevision} at ${b.at} (${b.reason}).`);
  if (pointer?.pinned) io.out(`Pinned at revision ${pointer.revision}${pointer.pinReason ? ` (${pointer.pinReason})` : ''}.`);
  return 0;
}

function mark(r: StoredRevision): string {
  if (r.approvedAt !== undefined) return 'APPROVED';
  return r.held ? 'HELD' : '';
}
