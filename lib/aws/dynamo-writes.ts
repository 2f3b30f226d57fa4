import { ATTR, revisionSk } from '../layout';
import type { Pointer, StoredRevision } from '../sync/ports';
import { type Move, pointerUpdate, revisionItem } from './dynamo-items';

/** The write items the ledger and the pin operations compose into transactions. */

/** Put a history item only if absent (history is immutable; the first recorded bytes win). */
export function historyPut(table: string, rev: StoredRevision) {
  return {
    Put: {
      TableName: table,
      Item: revisionItem(rev),
      ConditionExpression: 'attribute_not_exists(pk)',
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
  let condition = 'attribute_not_exists(pk)';
  if (seen) {
    update.ExpressionAttributeValues[':seen'] = { N: String(seen.revision) };
    condition = '#revision = :seen AND (attribute_not_exists(#pinned) OR #pinned = :pinned)';
  }
  return { Update: { ...update, ConditionExpression: condition, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } };
}
