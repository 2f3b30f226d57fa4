import { createHash } from 'node:crypto';
import { DatafileError } from '../errors';
import type { MirrorDeps } from '../mirror/publish';
import type { Notify } from './events';
import type { DatafileStore, PinLedger, PinOptions, PinResult, StoredRevision } from './ports';
import { settlePointer } from './settle';

export interface PinDeps extends MirrorDeps {
  ledger: PinLedger;
  store: DatafileStore;
  notify?: Notify;
}

/**
 * Roll back (or forward) to a stored revision and hold the pointer there: webhooks keep adding
 * history but do not move it until `unpinRevision`. The revision's bytes are read from S3 and
 * checked against the recorded sha256 first: a missing or corrupt object is refused and the
 * pointer does not move. Undefined when the revision is not stored for the key. `options` name who
 * pins and why (default: an operator's `pin`; lib/sync/rollback.ts pins for an alarm).
 */
export async function pinRevision(key: string, revision: number, deps: PinDeps, options?: PinOptions): Promise<PinResult | undefined> {
  const rev = await deps.ledger.getRevision(key, revision);
  if (!rev) return undefined;
  await verifyBytes(rev, deps.store);
  const result = await deps.ledger.pin(rev, options);
  return settle(result, deps);
}

/**
 * Release a pin: the pointer moves to the newest stored revision, whose bytes are verified first.
 * Undefined when the key is unknown.
 */
export async function unpinRevision(key: string, deps: PinDeps): Promise<PinResult | undefined> {
  const result = await deps.ledger.unpin(key, (rev) => verifyBytes(rev, deps.store));
  if (!result) return undefined;
  return settle(result, deps);
}

/** Throws `object_missing` / `object_corrupt` unless the revision's object holds its recorded bytes. */
export async function verifyBytes(rev: StoredRevision, store: DatafileStore): Promise<void> {
  const bytes = await store.readObject(rev.s3Key);
  if (!bytes) {
    throw new DatafileError(
      'object_missing',
      `Revision ${rev.revision} of ${rev.key}: its object ${rev.s3Key} is missing; refusing to point at it.`,
    );
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== rev.sha256) {
    throw new DatafileError(
      'object_corrupt',
      `Revision ${rev.revision} of ${rev.key}: ${rev.s3Key} has sha256 ${sha256}, recorded ${rev.sha256}; refusing to point at it.`,
    );
  }
}

async function settle(result: PinResult, deps: PinDeps): Promise<PinResult> {
  const pointer = result.pointer.unsettled ? await settlePointer(result.pointer.key, result.pointer, deps) : result.pointer;
  return { ...result, pointer: pointer ?? result.pointer };
}
