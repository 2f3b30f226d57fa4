import type { MirrorDeps } from '../mirror/publish';
import { settlePointer } from './alias';
import type { Notify } from './events';
import type { DatafileStore, PinLedger, PinResult } from './ports';

export interface PinDeps extends MirrorDeps {
  ledger: PinLedger;
  store: DatafileStore;
  notify?: Notify;
}

/**
 * Roll back (or forward) to a stored revision and hold the pointer there: webhooks keep adding
 * history but do not move it until `unpinRevision`. `latest.json` follows the pointer. Undefined
 * when the revision is not stored for the key.
 */
export async function pinRevision(key: string, revision: number, deps: PinDeps): Promise<PinResult | undefined> {
  const result = await deps.ledger.pin(key, revision);
  if (!result) return undefined;
  return settle(result, 'pin', deps);
}

/** Release a pin: the pointer moves to the newest stored revision. Undefined when the key is unknown. */
export async function unpinRevision(key: string, deps: PinDeps): Promise<PinResult | undefined> {
  const result = await deps.ledger.unpin(key);
  if (!result) return undefined;
  return settle(result, 'unpin', deps);
}

async function settle(result: PinResult, reason: 'pin' | 'unpin', deps: PinDeps): Promise<PinResult> {
  await settlePointer(result.pointer.key, result, reason, deps);
  return result;
}
