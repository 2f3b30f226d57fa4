import { pinRevision, unpinRevision } from '../../sync/pin';
import { NotFoundError } from '../exit';
import type { CliIo } from '../io';
import type { Target } from '../target';

/** `pin <key> <revision>`: move the pointer (and latest.json) to a stored revision and hold it. */
export async function pin(target: Target, io: CliIo, key: string, revision: number): Promise<number> {
  await target.check({ bucket: true });
  if (!(await target.ledger.getPointer(key))) throw new NotFoundError(`Key ${key} not found in ${target.table}.`);
  const result = await pinRevision(key, revision, target);
  if (!result) throw new NotFoundError(`Revision ${revision} of ${key} is not stored (see: history ${key}).`);
  const from = result.previous?.revision;
  io.out(result.moved ? `Pinned ${key} at revision ${revision} (was ${from}).` : `${key} is pinned at revision ${revision}.`);
  return 0;
}

/** `unpin <key>`: release the pin; the pointer moves to the newest stored revision. */
export async function unpin(target: Target, io: CliIo, key: string): Promise<number> {
  await target.check({ bucket: true });
  const result = await unpinRevision(key, target);
  if (!result) throw new NotFoundError(`Key ${key} not found in ${target.table}.`);
  const now = result.pointer.revision;
  io.out(
    result.moved
      ? `Unpinned ${key}: now at revision ${now} (was ${result.previous?.revision}).`
      : `Unpinned ${key}: stays at revision ${now}.`,
  );
  return 0;
}
