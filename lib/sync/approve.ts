import { diffDatafiles, summarize } from '../changes';
import { DatafileSyncError } from '../errors';
import { moveSummaryOf, type Notify } from './events';
import { verifyBytes } from './pin';
import type { DatafileStore, MoveSummary, PinLedger, Pointer, StoredRevision } from './ports';
import { settlePointer } from './settle';

export interface ApproveDeps {
  ledger: PinLedger;
  store: DatafileStore;
  notify?: Notify;
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
  await verifyBytes(rev, deps.store);
  const result = await deps.ledger.approve(rev, await moveSummary(rev, deps));
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

/** What the approval changes for users (live → approved), for its change event; undefined if unreadable. */
async function moveSummary(rev: StoredRevision, deps: ApproveDeps): Promise<MoveSummary | undefined> {
  try {
    const live = await deps.ledger.getPointer(rev.key);
    const [from, to] = await Promise.all([live ? deps.store.readObject(live.s3Key) : undefined, deps.store.readObject(rev.s3Key)]);
    if (!to) return undefined;
    const previous = from ? (JSON.parse(from.toString('utf8')) as unknown) : undefined;
    return moveSummaryOf(summarize(diffDatafiles(previous, JSON.parse(to.toString('utf8')))));
  } catch {
    return undefined;
  }
}
