import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ATTR, revisionSk, rollbackSk } from '../layout';
import type { Pointer, RollbackRecord, StoredRevision } from '../sync/ports';
import { type Move, pointerUpdate, revisionItem } from './dynamo-items';

/** The write items the ledger and the pin operations compose into transactions. */

/** Put a history item only if absent (history is immutable; the first recorded bytes win). */
export function historyPut(table: string, rev: StoredRevision) {
  return {
    Put: {
      TableName: table,
      Item: revisionItem(rev),
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': ATTR.pk },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    },
  };
}

/** The history item exists with the bytes we mean (used when it was written by an earlier step). */
export function historyExists(table: string, rev: StoredRevision) {
  return {
    ConditionCheck: {
      TableName: table,
      Key: { [ATTR.pk]: { S: rev.key }, [ATTR.sk]: { S: revisionSk(rev.revision) } },
      ConditionExpression: '#sha = :sha',
      ExpressionAttributeNames: { '#sha': ATTR.sha256 },
      ExpressionAttributeValues: { ':sha': { S: rev.sha256 } },
    },
  };
}

/** Move the pointer from exactly `seen` to `rev` (not while pinned). */
export function pointerMove(table: string, rev: StoredRevision, seen: Pointer | undefined, move: Move) {
  const update = pointerUpdate(table, rev, move);
  // Why this condition: it names the pointer state we decided on. If another delivery moved the
  // pointer (or someone pinned it) in between, the check fails and we re-decide with the new
  // state instead of overwriting a newer revision. `pinned` is re-checked here for the same reason.
  let condition = 'attribute_not_exists(#pk)';
  if (seen) {
    update.ExpressionAttributeValues[':seen'] = { N: String(seen.revision) };
    condition = '#revision = :seen AND (attribute_not_exists(#pinned) OR #pinned = :pinned)';
    // The last move too, not only its revision: ours carries the events `seen` still owes
    // (lib/sync/owed.ts), so any move in between — even one back to this revision — must fail it.
    update.ExpressionAttributeNames['#eventId'] = ATTR.eventId;
    if (seen.eventId === undefined) condition += ' AND attribute_not_exists(#eventId)';
    else {
      update.ExpressionAttributeValues[':seenEvent'] = { S: seen.eventId };
      condition += ' AND #eventId = :seenEvent';
    }
  } else update.ExpressionAttributeNames['#pk'] = ATTR.pk; // only a used name may be declared
  return { Update: { ...update, ConditionExpression: condition, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } };
}

/** Log one rollback beside the key's history (same partition, `ROLLBACK#` items; never a history item). */
export function rollbackLogPut(table: string, log: RollbackRecord) {
  const item: Record<string, AttributeValue> = {
    [ATTR.pk]: { S: log.key },
    [ATTR.sk]: { S: rollbackSk(log.at) },
    [ATTR.updatedAt]: { S: log.at },
    [ATTR.revision]: { N: String(log.toRevision) },
    [ATTR.alarmName]: { S: log.alarmName },
    [ATTR.pinReason]: { S: log.reason },
    [ATTR.eventId]: { S: log.eventId },
  };
  if (log.fromRevision !== undefined) item[ATTR.previousRevision] = { N: String(log.fromRevision) };
  return { Put: { TableName: table, Item: item } };
}

export function toRollbackRecord(item: Record<string, AttributeValue>): RollbackRecord {
  const from = item[ATTR.previousRevision]?.N;
  return {
    key: item[ATTR.pk]?.S ?? '',
    at: item[ATTR.updatedAt]?.S ?? '',
    fromRevision: from === undefined ? undefined : Number(from),
    toRevision: Number(item[ATTR.revision]?.N),
    alarmName: item[ATTR.alarmName]?.S ?? '',
    reason: item[ATTR.pinReason]?.S ?? '',
    eventId: item[ATTR.eventId]?.S ?? '',
  };
}

/**
 * An operator's move (pin, unpin, approve, rollback): the pointer to `rev`, conditioned on the pointer
 * being exactly as read (same revision and same move time), or absent. Any move in between, even to
 * the same revision, fails the condition, so the operator's decision is re-made on what is there now.
 */
export function pointerMoveFrom(table: string, rev: StoredRevision, seen: Pointer | undefined, move: Move) {
  const update = pointerUpdate(table, rev, move);
  if (!seen) {
    update.ExpressionAttributeNames['#pk'] = ATTR.pk;
    return { ...update, ConditionExpression: 'attribute_not_exists(#pk)' };
  }
  update.ExpressionAttributeValues[':seen'] = { N: String(seen.revision) };
  update.ExpressionAttributeValues[':was'] = { S: seen.updatedAt };
  return { ...update, ConditionExpression: '#revision = :seen AND #updatedAt = :was' };
}
