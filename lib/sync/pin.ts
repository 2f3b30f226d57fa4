import type { Logger } from '../log';
import type { MirrorDeps } from '../mirror/publish';
import type { Notify } from './events';
import type { DatafileStore, PinLedger, PinOptions, PinResult } from './ports';
import { settlePointer } from './settle';
import { moveReads } from './stored-bytes';

export interface PinDeps extends MirrorDeps {
  ledger: PinLedger;
  store: DatafileStore;
  notify?: Notify;
  /** Where a summary that could not be made is reported. */
  logger?: Logger;
}

/**
 * Roll back (or forward) to a stored revision and hold the pointer there: webhooks keep adding
 * history but do not move it until `unpinRevision`. The revision's bytes are read from S3 and
 * checked against the recorded sha256 first: a missing or corrupt object is refused and the
 * pointer does not move. Undefined when the revision is not stored for the key. `options` name who
 * pins and why (default: an operator's `pin`; lib/sync/rollback.ts pins for an alarm). The change
 * event carries what the pin changes from the live revision, as for any move; live bytes that cannot
 * be read only leave that summary out (logged): a rollback must not fail over a description.
 */
export async function pinRevision(key: string, revision: number, deps: PinDeps, options?: PinOptions): Promise<PinResult | undefined> {
  const rev = await deps.ledger.getRevision(key, revision);
  if (!rev) return undefined;
  const reads = moveReads(deps.store, deps.logger);
  await reads.verify(rev);
  const result = await deps.ledger.pin(rev, { ...options, summarize: reads.summarize });
  return settle(result, deps);
}

/**
 * Release a pin: the pointer moves to the newest stored revision, whose bytes are verified first;
 * its change event carries what the move changes, as for a pin. Undefined when the key is unknown.
 */
export async function unpinRevision(key: string, deps: PinDeps): Promise<PinResult | undefined> {
  const reads = moveReads(deps.store, deps.logger);
  const result = await deps.ledger.unpin(key, (rev) => reads.verify(rev).then(() => undefined), reads.summarize);
  if (!result) return undefined;
  return settle(result, deps);
}

async function settle(result: PinResult, deps: PinDeps): Promise<PinResult> {
  const pointer = result.pointer.unsettled ? await settlePointer(result.pointer.key, result.pointer, deps) : result.pointer;
  return { ...result, pointer: pointer ?? result.pointer };
}
