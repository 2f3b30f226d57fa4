import { DatafileError, describeError } from '../errors';
import type { Logger } from '../log';
import type { MirrorDeps } from '../mirror/publish';
import { type Notify, rollbackPinReason } from './events';
import { pinRevision } from './pin';
import type { DatafileStore, PinLedger, Pointer, PointerCatalog, StoredRevision } from './ports';
import { type AlarmStateChangeEvent, blames, decide, type RollbackPolicy } from './rollback-alarm';

export type { AlarmStateChangeEvent, RollbackPolicy } from './rollback-alarm';

/** What the rollback needs of the ledger: pin, list every pointer, find the revision before one (`newestBelow`). */
export type RollbackLedger = PinLedger & PointerCatalog;

/** `secure`: keys with an access token in the projects config, whose mirror copy a rollback removes. */
export interface RollbackDeps extends MirrorDeps {
  ledger: RollbackLedger;
  store: DatafileStore;
  notify?: Notify;
  logger: Logger;
  policy: RollbackPolicy;
}

/** One blamed key: rolled back (from → to), nothing to roll back to, or failed (bytes refused, storage). */
export type KeyRollback =
  | { key: string; outcome: 'rolled_back'; from: number; to: number }
  | { key: string; outcome: 'no_previous'; from: number }
  | { key: string; outcome: 'failed'; from: number; to?: number; error: string };

export interface RollbackSummary {
  /** False when the event asked for nothing (not our alarm, not ALARM): `why` says why. */
  acted: boolean;
  why?: string;
  alarmName?: string;
  /** Keys whose last move fell in the bake window, and what happened to each. */
  keys: KeyRollback[];
  failed: number;
}

/**
 * Roll back on an alarm, like AWS AppConfig: when a configured CloudWatch alarm enters ALARM, every
 * key whose pointer moved within the bake time before the alarm is pinned at its previous revision
 * (bytes verified first), with pin reason `rollback: <alarm>`, a rollback log item in history, and a
 * `Datafile Rolled Back` change event. `unpin` resumes normal flow.
 *
 * Idempotent: a rolled-back pointer is pinned, and pinned pointers are never blamed, so a redelivered
 * event (EventBridge is at least once) or a retry does nothing more. A key whose previous revision is
 * missing or corrupt is refused and counted as failed; the other keys still roll back.
 */
export async function rollbackOnAlarm(event: AlarmStateChangeEvent, deps: RollbackDeps): Promise<RollbackSummary> {
  const decision = decide(event, deps.policy);
  if (!decision.act) {
    deps.logger.info('rollback: no action', { alarmName: decision.alarmName, why: decision.why });
    return { acted: false, why: decision.why, alarmName: decision.alarmName, keys: [], failed: 0 };
  }
  const { alarmName, at } = decision;
  const blamed: Pointer[] = [];
  for await (const pointer of deps.ledger.listPointers()) if (blames(pointer, at, deps.policy.bakeMs)) blamed.push(pointer);
  const keys: KeyRollback[] = [];
  for (const pointer of blamed) keys.push(await rollbackKey(pointer, alarmName, deps));
  const failed = keys.filter((k) => k.outcome === 'failed').length;
  const summary = { acted: true, alarmName, keys, failed };
  (failed > 0 ? deps.logger.error : deps.logger.info)('rollback done', { alarmName, alarmAt: at.toISOString(), keys, failed });
  return summary;
}

async function rollbackKey(pointer: Pointer, alarmName: string, deps: RollbackDeps): Promise<KeyRollback> {
  const { key, revision: from } = pointer;
  let target: StoredRevision | undefined;
  try {
    target = await previousOf(pointer, deps.ledger);
    if (!target) {
      deps.logger.warn('rollback: no earlier revision stored', { key, revision: from, alarmName });
      return { key, outcome: 'no_previous', from };
    }
    const options = { pinReason: rollbackPinReason(alarmName), moveReason: 'rollback' as const, alarmName };
    const result = await pinRevision(key, target.revision, deps, options);
    if (!result) throw new DatafileError('revision_not_stored', `Revision ${target.revision} of ${key} is no longer stored.`);
    deps.logger.warn('rolled back', { key, from, to: target.revision, alarmName, moved: result.moved });
    return { key, outcome: 'rolled_back', from, to: target.revision };
  } catch (error) {
    const described = describeError(error);
    deps.logger.error('rollback refused', { key, from, to: target?.revision, alarmName, error: described });
    const text = [described.code, described.message].filter((x) => x !== undefined).join(': ');
    return { key, outcome: 'failed', from, to: target?.revision, error: text };
  }
}

/**
 * The revision the pointer came from when it is still stored; otherwise (older pointers carry no
 * `previousRevision`) the newest stored revision below the pointer's.
 */
async function previousOf(pointer: Pointer, ledger: RollbackLedger): Promise<StoredRevision | undefined> {
  const previous = pointer.previousRevision;
  if (previous !== undefined && previous !== pointer.revision) {
    const stored = await ledger.getRevision(pointer.key, previous);
    if (stored) return stored;
  }
  return ledger.newestBelow(pointer.key, pointer.revision);
}
