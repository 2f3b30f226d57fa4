import { approveRevision } from '../../sync/approve';
import { NotFoundError } from '../exit';
import type { CliIo } from '../io';
import type { Target } from '../target';

/** `approve <key> <revision>`: move the pointer forward to a held (or any stored) revision, bytes verified first. */
export async function approve(target: Target, io: CliIo, key: string, revision: number): Promise<number> {
  await target.check({ bucket: true });
  const result = await approveRevision(key, revision, target);
  if (!result) throw new NotFoundError(`Revision ${revision} of ${key} is not stored (see: history ${key}).`);
  const was = result.previous ? ` (was ${result.previous.revision})` : '';
  const past = result.revision.held ? `, past ${result.revision.violations?.map((v) => v.rule).join(', ') || 'its hold'}` : '';
  io.out(`Approved ${key} revision ${revision}: now live${was}${past}.`);
  return 0;
}
