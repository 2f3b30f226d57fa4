import { type AttributeValue, ConditionalCheckFailedException, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { storageError } from '../errors';
import { ATTR, POINTER_SK, RECONCILE_CURSOR_SK, RECONCILE_PK } from '../layout';
import type { FetchValidators } from '../sync/ports';
import { Table } from './table';

/** What reconcile keeps in the table between runs: its cursor, and each pointer's fetch validators. */

export async function readCursor(table: Table): Promise<string | undefined> {
  try {
    return (await table.get(RECONCILE_PK, RECONCILE_CURSOR_SK))?.[ATTR.cursorKey]?.S;
  } catch (e) {
    throw storageError('read the reconcile cursor', e);
  }
}

export async function writeCursor(table: Table, key: string): Promise<void> {
  try {
    await table.client.send(
      new PutItemCommand({
        TableName: table.name,
        Item: { ...Table.key(RECONCILE_PK, RECONCILE_CURSOR_SK), [ATTR.cursorKey]: { S: key } },
      }),
    );
  } catch (e) {
    throw storageError('write the reconcile cursor', e);
  }
}

/** Only touches the validator attributes, and only of a pointer that exists. */
export async function saveValidators(table: Table, key: string, v: FetchValidators): Promise<void> {
  const values: Record<string, AttributeValue> = { ':url': { S: v.url } };
  const sets = ['#url = :url'];
  const removes: string[] = [];
  for (const [name, value] of [
    ['etag', v.etag],
    ['lm', v.lastModified],
  ] as const) {
    if (value === undefined) removes.push(`#${name}`);
    else {
      values[`:${name}`] = { S: value };
      sets.push(`#${name} = :${name}`);
    }
  }
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: Table.key(key, POINTER_SK),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#pk': ATTR.pk, '#url': ATTR.fetchUrl, '#etag': ATTR.fetchEtag, '#lm': ATTR.fetchLastModified },
        ExpressionAttributeValues: values,
      }),
    );
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return;
    throw storageError('remember the fetch validators', e);
  }
}
