import { type MirrorDeps, settleMirror } from '../mirror/publish';
import { type Notify, pointerMoved } from './events';
import type { DatafileStore, MoveReason, Pointer, RevisionLedger } from './ports';

/**
 * Make `latest.json` equal the pointer. Re-reads the pointer after every copy: when two deliveries
 * race, the copy that lands last is always checked by the one that made it, so the alias converges
 * on the final pointer whatever the order of the copies.
 *   t0 A reads pointer=5   t1 B moves pointer→6, copies 6   t2 A's copy of 5 lands
 *   t3 A re-reads pointer=6 ≠ alias 5 → copies 6.
 * A failed alias read or copy (a throttled or racing request) is retried after a short random pause; only when
 * every round fails does the error surface, and then a redelivery or reconcile converges it.
 */
export async function convergeAlias(
  key: string,
  ledger: RevisionLedger,
  store: DatafileStore,
  maxRounds = 10,
): Promise<Pointer | undefined> {
  let lastError: unknown;
  let copied: Pointer | undefined;
  for (let round = 0; round < maxRounds; round++) {
    const pointer = await ledger.getPointer(key);
    if (!pointer) return undefined;
    // Our own copy of this very pointer has landed and the pointer has not moved since: done, no
    // need to read the alias back. A slower copy from another delivery that lands after ours is
    // checked by that delivery's own re-read, as above.
    if (copied && sameRevision(copied, pointer)) return pointer;
    try {
      // Reading the alias is retried like the copy: a HEAD racing another delivery's copy can fail too.
      const alias = await store.aliasState(key);
      if (alias && sameRevision(alias, pointer)) return pointer;
      await store.copyToAlias(pointer);
      copied = pointer;
    } catch (e) {
      copied = undefined;
      lastError = e;
      await new Promise((r) => setTimeout(r, Math.random() * 25 * 2 ** Math.min(round, 5)));
    }
  }
  if (lastError) throw lastError;
  return ledger.getPointer(key);
}

function sameRevision(a: { sha256?: string; revision?: number }, b: Pointer): boolean {
  return a.sha256 === b.sha256 && a.revision === b.revision;
}

/**
 * After any pointer write (webhook, pin, unpin, reconcile): converge the alias, and when the
 * pointer moved, announce it exactly once — even if the alias could not converge yet (a redelivery
 * would find a duplicate and never announce it; the event names the immutable object, which exists).
 */
export async function settlePointer(
  key: string,
  move: { moved: boolean; pointer?: Pointer; previous?: Pointer },
  reason: MoveReason,
  deps: { ledger: RevisionLedger; store: DatafileStore; notify?: Notify } & MirrorDeps,
): Promise<Pointer | undefined> {
  try {
    const pointer = await convergeAlias(key, deps.ledger, deps.store);
    await settleMirror(key, pointer, deps);
    return pointer;
  } finally {
    if (move.moved && move.pointer) await deps.notify?.(pointerMoved(move.pointer, move.previous?.revision, reason));
  }
}
