import { TransactionCanceledException, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { StorageError, storageError } from '../errors';
import type { PinResult, Pointer, StoredRevision } from '../sync/ports';
import { newestRevision } from './dynamo-history';
import { pointerUpdate } from './dynamo-items';
import type { DynamoLedger } from './dynamo-ledger';
import { historyExists } from './dynamo-writes';

const ATTEMPTS = 25;

/**
 * Pin: one transaction = ConditionCheck(the history item exists with its recorded sha256) + Update
 * (pointer := that revision, pinned = true) conditioned on the pointer revision we read. A webhook
 * moving the pointer in between makes our condition fail and we re-read; a webhook arriving after
 * sees `pinned` and only adds history. Either order ends with the pointer on the pinned revision.
 */
export async function pinPointer(ledger: DynamoLedger, key: string, revision: number, now: () => Date): Promise<PinResult | undefined> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const [seen, rev] = await Promise.all([ledger.getPointer(key), ledger.getRevision(key, revision)]);
    if (!rev) return undefined;
    if (seen?.pinned && seen.revision === revision) return { moved: false, pointer: seen, previous: seen };
    const updatedAt = now().toISOString();
    const update = pointerUpdate(ledger.table, rev, updatedAt, true);
    let condition = 'attribute_not_exists(pk)';
    if (seen) {
      update.ExpressionAttributeValues[':seen'] = { N: String(seen.revision) };
      condition = 'revision = :seen';
    }
    const outcome = await transact(ledger, rev, { ...update, ConditionExpression: condition });
    if (outcome === 'ok') {
      const pointer: Pointer = { ...rev, updatedAt, pinned: true };
      return { moved: seen?.revision !== revision, pointer, previous: seen };
    }
    if (outcome === 'missing') return undefined;
  }
  throw new StorageError(`Could not pin ${key}: too much contention.`);
}

/**
 * Unpin: clear the pin and move the pointer to the newest stored revision, conditioned on the
 * pointer still being exactly as read (pinned, same revision). Then catch up: a webhook that read
 * the pointer while pinned may add a newer history item just after our Query; it re-checks the pin
 * after its write (DynamoLedger.record) and we re-check the newest revision after ours, so whichever
 * write lands last sees the other and the pointer ends on the newest stored revision.
 */
export async function unpinPointer(ledger: DynamoLedger, key: string, now: () => Date): Promise<PinResult | undefined> {
  const original = await ledger.getPointer(key);
  if (!original) return undefined;
  let current: Pointer = original;
  let released = !original.pinned;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const done = { moved: current.revision !== original.revision, pointer: current, previous: original };
    // Once released, a pin seen later is someone else's newer decision: leave it alone.
    if (released && current.pinned) return done;
    const newest = await newestRevision(ledger.client, ledger.table, key);
    const target = newest && newest.revision > current.revision ? newest : current;
    if (!current.pinned && target === current) return done;
    const updatedAt = now().toISOString();
    const update = pointerUpdate(ledger.table, target, updatedAt, false);
    update.ExpressionAttributeValues[':seen'] = { N: String(current.revision) };
    update.ExpressionAttributeValues[':was'] = { BOOL: current.pinned };
    const condition = current.pinned
      ? 'revision = :seen AND pinned = :was'
      : 'revision = :seen AND (attribute_not_exists(pinned) OR pinned = :was)';
    const outcome = await transact(ledger, target, { ...update, ConditionExpression: condition });
    if (outcome === 'ok') {
      current = { ...target, updatedAt, pinned: false };
      released = true;
    } else current = (await ledger.getPointer(key)) ?? current;
  }
  throw new StorageError(`Could not unpin ${key}: too much contention.`);
}

type Update = ReturnType<typeof pointerUpdate> & { ConditionExpression: string };

async function transact(ledger: DynamoLedger, rev: StoredRevision, update: Update): Promise<'ok' | 'retry' | 'missing'> {
  try {
    await ledger.client.send(new TransactWriteItemsCommand({ TransactItems: [historyExists(ledger.table, rev), { Update: update }] }));
    return 'ok';
  } catch (e) {
    if (!(e instanceof TransactionCanceledException)) throw storageError('move the pointer', e);
    const [history, pointer] = e.CancellationReasons ?? [];
    if (history?.Code === 'ConditionalCheckFailed') return 'missing';
    if (pointer?.Code === 'ConditionalCheckFailed' || pointer?.Code === 'TransactionConflict' || history?.Code === 'TransactionConflict') {
      await new Promise((r) => setTimeout(r, Math.random() * 40));
      return 'retry';
    }
    throw storageError('move the pointer', e);
  }
}
