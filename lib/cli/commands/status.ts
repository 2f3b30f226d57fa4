import type { Pointer } from '../../sync/ports';
import { NotFoundError } from '../exit';
import { age, type CliIo, table } from '../io';
import type { Target } from '../target';

/** `status [key]`: where each pointer is — a table, or `--json`. */
export async function status(target: Target, io: CliIo, key: string | undefined, json: boolean, now = new Date()): Promise<number> {
  await target.check();
  let pointers: Pointer[];
  if (key) {
    const one = await target.ledger.getPointer(key);
    if (!one) throw new NotFoundError(`Key ${key} not found in ${target.table}.`);
    pointers = [one];
  } else {
    io.err(`Listing pointers in ${target.table}…`);
    pointers = [];
    for await (const p of target.ledger.listPointers()) pointers.push(p);
    pointers.sort((a, b) => a.key.localeCompare(b.key));
  }
  if (json) {
    io.out(
      JSON.stringify(
        pointers.map((p) => view(p, now)),
        null,
        2,
      ),
    );
    return 0;
  }
  if (pointers.length === 0) {
    io.out(`No keys in ${target.table} yet.`);
    return 0;
  }
  const rows = pointers.map((p) => {
    const v = view(p, now);
    const pinned = v.pinned ? (v.pinReason && v.pinReason !== 'pin' ? `yes (${v.pinReason})` : 'yes') : 'no';
    return [v.key, v.projectId, v.environment ?? '-', String(v.revision), v.updatedAt, v.age, pinned];
  });
  for (const line of table(['KEY', 'PROJECT', 'ENVIRONMENT', 'REVISION', 'UPDATED', 'AGE', 'PINNED'], rows)) io.out(line);
  return 0;
}

function view(p: Pointer, now: Date) {
  return {
    key: p.key,
    projectId: p.projectId,
    environment: p.environment,
    revision: p.revision,
    updatedAt: p.updatedAt,
    age: age(p.updatedAt, now),
    pinned: p.pinned,
    pinReason: p.pinned ? p.pinReason : undefined,
    sha256: p.sha256,
    s3Key: p.s3Key,
  };
}
