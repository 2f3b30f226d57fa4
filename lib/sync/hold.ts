import type { Violation } from '../changes';
import { datafileHeld, type Notify } from './events';
import type { RevisionLedger, StoredRevision } from './ports';

/** True for a history item guardrails hold and no operator has approved. */
export function isHeld(rev: StoredRevision): boolean {
  return rev.held === true && rev.approvedAt === undefined;
}

/**
 * Announce a hold: publish its `Datafile Held` event, then clear the item's pending mark. The mark is
 * born with the held item, so a crash before the event is out leaves it for the next delivery of
 * that revision, or reconcile, to publish again — at least once, with the same `eventId`.
 */
export async function settleHold(rev: StoredRevision, deps: { ledger: RevisionLedger; notify?: Notify }): Promise<StoredRevision> {
  if (!rev.holdUnsettled || rev.holdEventId === undefined) return rev;
  const published = (await deps.notify?.(datafileHeld(rev))) ?? true;
  if (!published) return rev;
  await deps.ledger.settleHold(rev.key, rev.revision, rev.holdEventId);
  return { ...rev, holdUnsettled: false };
}

/** The violations as answered and logged: rule and message only. */
export function violationsOf(rev: StoredRevision): Violation[] {
  return (rev.violations ?? []).map(({ rule, message }) => ({ rule, message }));
}
