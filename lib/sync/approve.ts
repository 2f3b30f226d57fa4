import { DatafileSyncError } from '../errors';
import type { Logger } from '../log';
import type { Notify } from './events';
import type { DatafileStore, PinLedger, Pointer, StoredRevision } from './ports';
import { settlePointer } from './settle';
import { moveReads } from './stored-bytes';

export interface ApproveDeps {
  ledger: PinLedger;
  store: DatafileStore;
  notify?: Notify;
  /** Where a summary that could not be made is reported. */
  logger?: Logger;
}

export interface Approved {
  pointer: Pointer;
  previous?: Pointer;
  /** The revision as it was stored (held or not, with its violations). */
  revision: StoredRevision;
}

/**
 * An operator puts a stored revision live past its guardrails: its bytes are verified exactly as for
 * a pin, then one transaction moves the pointer forward (reason `approve`) and marks the history item
 * approved; the move gets its change event like any other. Refused (`approve_refused`) while the
 * pointer is pinned, and for a revision not ahead of the pointer (going back is a pin).
 * Undefined when the revision is not stored.
 */
export async function approveRevision(key: string, revision: number, deps: ApproveDeps): Promise<Approved | undefined> {
  const rev = await deps.ledger.getRevision(key, revision);
  if (!rev) return undefined;
  refuseUnless(await deps.ledger.getPointer(key), revision);
  const reads = moveReads(deps.store, deps.logger);
  await reads.verify(rev);
  const result = await deps.ledger.approve(rev, reads.summarize);
  if (!result.moved) refuseUnless(result.current, revision);
  if (!result.moved) throw new DatafileSyncError('approve_refused', `Revision ${revision} of ${key} could not be approved.`);
  const pointer = (await settlePointer(key, result.pointer, deps)) ?? result.pointer;
  return { pointer, previous: result.previous, revision: rev };
}

function refuseUnless(pointer: Pointer | undefined, revision: number): void {
  if (!pointer) return;
  if (pointer.pinned) {
    throw new DatafileSyncError(
      'approve_refused',
      `${pointer.key} is pinned at revision ${pointer.revision}: release the pin first (datafile-sync unpin ${pointer.key}), then approve.`,
    );
  }
  if (revision <= pointer.revision) {
    throw new DatafileSyncError(
      'approve_refused',
      `Revision ${revision} of ${pointer.key} is not ahead of the live revision ${pointer.revision}: to go back, use datafile-sync pin ${pointer.key} ${revision}.`,
    );
  }
}
