import { backoffDelay, sleep as realSleep, type Sleep } from '../backoff';
import { type MirrorDeps, settleMirror } from '../mirror/publish';
import { type Notify, pointerMoved } from './events';
import type { DatafileStore, Pointer, PointerMoved, RevisionLedger } from './ports';

export interface SettleDeps extends MirrorDeps {
  ledger: RevisionLedger;
  store: DatafileStore;
  notify?: Notify;
  sleep?: Sleep;
}

const ROUNDS = 10;
const BACKOFF = { baseMs: 25, maxMs: 800 };

/**
 * Finish a pointer move: copy its object to `latest.json` (and the SDK mirror's copy), publish its change event, then clear the
 * move's "unsettled" mark — conditional on the pointer still being at that move. Every move is born
 * unsettled in the same transaction that makes it, so a crash anywhere in between leaves a mark
 * that the next redelivery or reconcile run finds and finishes: events are published at least
 * once, each with the move's stable `eventId`. A move that replaced unsettled moves owes their
 * events too (`owedEvents`, lib/sync/owed.ts): they go out first, under their own ids, and the
 * clear removes them with the mark.
 *
 * Why the conditional clear: when two deliveries race, a slower copy of an older revision can land
 * after the newer one. The clear fails for whoever was overtaken, and that writer re-reads the
 * pointer and copies again, so the alias converges on the final pointer whatever the order.
 *   t0 A moves →5   t1 B moves →6, copies 6, settles   t2 A's copy of 5 lands
 *   t3 A's clear fails (the pointer names B's move) → A re-reads 6 → copies 6 → still 6: done.
 * A failed copy or read (throttled, racing) is retried after a short random pause; when every round
 * fails the error surfaces and the mark stays for the next redelivery or reconcile.
 */
export async function settlePointer(key: string, start: Pointer | undefined, deps: SettleDeps): Promise<Pointer | undefined> {
  const sleep = deps.sleep ?? realSleep;
  let pointer = start ?? (await deps.ledger.getPointer(key));
  // The move we were handed is ours to announce. Once the pointer has moved on, the newer move is
  // its mover's to announce (or the next redelivery's/reconcile's, if that mover died): we only
  // make sure our own late copy did not leave the alias behind.
  const owned = pointer?.unsettled ? pointer.eventId : undefined;
  let lastError: unknown;
  for (let round = 0; round < ROUNDS; round++) {
    if (!pointer) return undefined;
    const announce = pointer.unsettled && pointer.eventId !== undefined && pointer.eventId === owned;
    if (round === 0 && !pointer.unsettled) return pointer;
    try {
      await deps.store.copyToAlias(pointer);
      // The SDK mirror follows like the alias (keys without an access token only).
      await settleMirror(key, pointer, deps);
      if (announce && pointer.eventId) {
        if (!(await publishAll(deps, [...(pointer.owedEvents ?? []), pointerMoved(pointer)]))) return pointer;
        if (await deps.ledger.settle(key, pointer.eventId)) {
          const { owedEvents: _published, ...settled } = pointer;
          return { ...settled, unsettled: false };
        }
      } else {
        const now = await deps.ledger.getPointer(key);
        if (now && sameMove(now, pointer)) return now;
      }
      pointer = await deps.ledger.getPointer(key);
    } catch (e) {
      lastError = e;
      await sleep(backoffDelay(round, BACKOFF));
      pointer = await deps.ledger.getPointer(key).catch(() => pointer);
    }
  }
  if (lastError) throw lastError;
  return pointer;
}

/** Publish in order; false at the first that could not be (the mark stays, and all are published again later). */
async function publishAll(deps: SettleDeps, events: PointerMoved[]): Promise<boolean> {
  for (const event of events) if (!((await deps.notify?.(event)) ?? true)) return false;
  return true;
}

function sameMove(a: Pointer, b: Pointer): boolean {
  return a.revision === b.revision && a.sha256 === b.sha256 && a.updatedAt === b.updatedAt;
}
