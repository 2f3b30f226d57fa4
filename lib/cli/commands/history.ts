import { NotFoundError } from '../exit';
import { type CliIo, table } from '../io';
import type { Target } from '../target';

/** `history <key>`: every stored revision, oldest first, with time, size and sha256 (`*` = current). */
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
  ]);
  for (const line of table([' REVISION', 'STORED', 'BYTES', 'SHA256'], rows)) io.out(line);
  // Alarm rollbacks (lib/sync/rollback.ts), each logged with its move.
  for (const b of rollbacks) io.out(`Rolled back ${b.fromRevision ?? '?'} → ${b.toRevision} at ${b.at} (${b.reason}).`);
  if (pointer?.pinned) io.out(`Pinned at revision ${pointer.revision}${pointer.pinReason ? ` (${pointer.pinReason})` : ''}.`);
  return 0;
}
