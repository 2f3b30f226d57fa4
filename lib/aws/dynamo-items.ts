import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Pointer, StoredRevision } from '../sync/ports';

/**
 * The table layout (one table, `pk`/`sk` strings):
 *   pk = <key>, sk = "POINTER"           the current revision of the key (+ pinned flag)
 *   pk = <key>, sk = "REV#<12 digits>"  one immutable history item per stored revision
 * A Query on pk lists the pointer and the history in revision order.
 */
export const POINTER_SK = 'POINTER';
export const REV_PREFIX = 'REV#';

export function revisionSk(revision: number): string {
  return `${REV_PREFIX}${String(revision).padStart(12, '0')}`;
}

type Item = Record<string, AttributeValue>;

export function revisionItem(rev: StoredRevision): Item {
  const item: Item = {
    pk: { S: rev.key },
    sk: { S: revisionSk(rev.revision) },
    revision: { N: String(rev.revision) },
    s3Key: { S: rev.s3Key },
    sha256: { S: rev.sha256 },
    size: { N: String(rev.size) },
    projectId: { S: rev.projectId },
    storedAt: { S: rev.storedAt },
  };
  if (rev.environment !== undefined) item.environment = { S: rev.environment };
  if (rev.webhookTimestamp !== undefined) item.webhookTimestamp = { N: String(rev.webhookTimestamp) };
  return item;
}

export function toRevision(item: Item): StoredRevision {
  return {
    key: s(item.pk),
    revision: n(item.revision),
    s3Key: s(item.s3Key),
    sha256: s(item.sha256),
    size: n(item.size),
    projectId: s(item.projectId),
    environment: item.environment?.S,
    webhookTimestamp: item.webhookTimestamp?.N === undefined ? undefined : Number(item.webhookTimestamp.N),
    storedAt: item.storedAt?.S ?? '',
  };
}

export function toPointer(item: Item): Pointer {
  return { ...toRevision(item), updatedAt: s(item.updatedAt), pinned: item.pinned?.BOOL === true };
}

function s(v: AttributeValue | undefined): string {
  return v?.S ?? '';
}

function n(v: AttributeValue | undefined): number {
  return Number(v?.N ?? Number.NaN);
}

/**
 * An Update of the pointer to `rev` with the given pinned flag (conditions are the caller's).
 * `:pinned` carries the new flag, so a caller's condition may compare against it too.
 */
export function pointerUpdate(table: string, rev: StoredRevision, updatedAt: string, pinned: boolean) {
  const item = revisionItem(rev);
  const values: Record<string, AttributeValue> = {
    ':revision': item.revision as AttributeValue,
    ':s3Key': item.s3Key as AttributeValue,
    ':sha256': item.sha256 as AttributeValue,
    ':size': item.size as AttributeValue,
    ':projectId': item.projectId as AttributeValue,
    ':storedAt': item.storedAt as AttributeValue,
    ':updatedAt': { S: updatedAt },
    ':pinned': { BOOL: pinned },
    ':env': item.environment ?? { NULL: true },
    ':ts': item.webhookTimestamp ?? { NULL: true },
  };
  return {
    TableName: table,
    Key: { pk: { S: rev.key }, sk: { S: POINTER_SK } },
    UpdateExpression:
      'SET revision = :revision, s3Key = :s3Key, sha256 = :sha256, #size = :size, projectId = :projectId, ' +
      'environment = :env, webhookTimestamp = :ts, storedAt = :storedAt, updatedAt = :updatedAt, pinned = :pinned',
    ExpressionAttributeNames: { '#size': 'size' } as Record<string, string>,
    ExpressionAttributeValues: values,
  };
}
