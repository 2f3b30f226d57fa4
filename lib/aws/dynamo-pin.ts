import { TransactionCanceledException, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { backoffDelay, sleep } from '../backoff';
import { StorageError, storageError } from '../errors';
import type { PinOptions, PinResult, Pointer, StoredRevision, SummarizeMove } from '../sync/ports';
import { type MoveFactory, movedPointer, type pointerUpdate } from './dynamo-items';
import { getPointer, newestLiveRevision } from './dynamo-reads';
import { historyExists, pointerMoveFrom, rollbackLogPut } from './dynamo-writes';
import type { Table } from './table';

const ATTEMPTS = 25;
const BACKOFF = { baseMs: 10, maxMs: 200 };

/**
 * Pin: one transaction = ConditionCheck(the history item exists with its recorded sha256) + Update
 * (pointer := that revision, pinned = true) conditioned on the pointer revision we read. A webhook
 * moving the pointer in between makes our condition fail and we re-read; a webhook arriving after
 * sees `pinned` and only adds history. Either order ends with the pointer on the pinned revision.
 * The caller has already verified the revision's bytes in S3. A rollback (options.alarmName) also
 * puts its log item in the same transaction: the pointer never moves without the log saying why.
 * The move records what `options.summarize` says it changes from the pointer it replaces.
 */
export async function pinPointer(table: Table, rev: StoredRevision, move: MoveFactory, options: PinOptions = {}): Promise<PinResult> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const seen = await getPointer(table, rev.key);
    if (seen?.pinned && seen.revision === rev.revision && seen.sha256 === rev.sha256)
      return { moved: false, pointer: seen, previous: seen };
    const summary = await options.summarize?.(seen, rev);
    const m = { ...move(options.moveReason ?? 'pin', seen, true, options.pinReason ?? 'pin'), summary };
    const update = pointerMoveFrom(table.name, rev, seen, m);
    const log =
      options.alarmName === undefined
        ? []
        : [
            rollbackLogPut(table.name, {
              key: rev.key,
              at: m.updatedAt,
              fromRevision: seen?.revision,
              toRevision: rev.revision,
              alarmName: options.alarmName,
              reason: m.pinReason ?? 'pin',
              eventId: m.eventId,
            }),
          ];
    const outcome = await transact(table, rev, update, log);
    if (outcome === 'ok') {
      const pointer: Pointer = { ...rev, ...movedPointer(m), previousRevision: seen?.revision };
      return { moved: seen?.revision !== rev.revision, pointer, previous: seen };
    }
    if (outcome === 'missing') throw new StorageError(`Revision ${rev.revision} of ${rev.key} is no longer recorded as read.`);
    await sleep(backoffDelay(attempt, BACKOFF));
  }
  throw new StorageError(`Could not pin ${rev.key}: too much contention.`);
}

/**
 * Unpin: clear the pin and move the pointer to the newest stored revision not held (bytes checked by
 * `verify` first), conditioned on the pointer still being exactly as read. Then catch up: a webhook
 * that read the pointer while pinned may add a newer history item just after our Query; it re-checks
 * the pin after its write (DynamoLedger.record) and we re-check the newest revision after ours, so
 * whichever write lands last sees the other and the pointer ends on the newest stored revision.
 * Each move records what `summarize` says it changes. Undefined when the key has no pointer.
 */
export async function unpinPointer(
  table: Table,
  key: string,
  verify: (rev: StoredRevision) => Promise<void>,
  move: MoveFactory,
  summarize?: SummarizeMove,
): Promise<PinResult | undefined> {
  const original = await getPointer(table, key);
  if (!original) return undefined;
  let current: Pointer = original;
  let released = !original.pinned;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const done = { moved: current.revision !== original.revision, pointer: current, previous: original };
    // Once released, a pin seen later is someone else's newer decision: leave it alone.
    if (released && current.pinned) return done;
    // Held revisions stay out: releasing a pin must not put live what guardrails kept back.
    const newest = await newestLiveRevision(table, key);
    const next = newest && newest.revision > current.revision ? newest : current;
    if (next !== current) await verify(next);
    if (!current.pinned && next === current) return done;
    // Releasing a pin without changing the revision is not a move: no change event for it.
    const m = move('unpin', current, false);
    if (next === current) m.announce = false;
    else m.summary = await summarize?.(current, next);
    const outcome = await transact(table, next, pointerMoveFrom(table.name, next, current, m));
    if (outcome === 'ok') {
      // Released in place, the last move is still the one before (its event, its mark): only the pin goes.
      current =
        m.announce === false
          ? { ...current, updatedAt: m.updatedAt, pinned: false, pinReason: undefined }
          : { ...next, ...movedPointer(m), previousRevision: current.revision };
      released = true;
      continue;
    }
    if (outcome === 'missing') throw new StorageError(`Revision ${next.revision} of ${key} is no longer recorded as read.`);
    current = (await getPointer(table, key)) ?? current;
    await sleep(backoffDelay(attempt, BACKOFF));
  }
  throw new StorageError(`Could not unpin ${key}: too much contention.`);
}

type Update = ReturnType<typeof pointerUpdate> & { ConditionExpression: string };

async function transact(
  table: Table,
  rev: StoredRevision,
  update: Update,
  also: TransactWriteItem[] = [],
): Promise<'ok' | 'retry' | 'missing'> {
  try {
    await table.transact([historyExists(table.name, rev), { Update: update }, ...also]);
    return 'ok';
  } catch (e) {
    if (!(e instanceof TransactionCanceledException)) throw storageError('move the pointer', e);
    const [history, pointer] = e.CancellationReasons ?? [];
    if (history?.Code === 'ConditionalCheckFailed') return 'missing';
    if (pointer?.Code === 'ConditionalCheckFailed' || pointer?.Code === 'TransactionConflict' || history?.Code === 'TransactionConflict') {
      return 'retry';
    }
    throw storageError('move the pointer', e);
  }
}
