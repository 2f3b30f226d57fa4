import { NotFoundError } from '../exit';
import { type CliIo, table } from '../io';
import type { Target } from '../target';

/** `history <key>`: every stored revision, oldest first, with time, size and sha256 (`*` = current). */
export async function history(target: Target, io: CliIo, key: string, json: boolean): Promise<number> {
  await target.check();
  const [revisions, pointer] = await Promise.all([target.ledger.history(key), target.ledger.getPointer(key)]);
  if (revisions.length === 0) throw new NotFoundError(`Key ${key} has no stored revisions in ${target.table}.`);
  if (json) {
    io.out(
      JSON.stringify(
        revisions.map((r) => ({ ...r, current: r.revision === pointer?.revision })),
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
  if (pointer?.pinned) io.out(`Pinned at revision ${pointer.revision}.`);
  return 0;
}
