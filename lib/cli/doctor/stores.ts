import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { DynamoLedger } from '../../aws/dynamo-ledger';
import { bucketExists, tableExists } from '../../aws/inspect';
import type { Pointer } from '../../sync/ports';
import { age } from '../io';
import { plural } from './config';
import { type CheckResult, fail, failed, pass } from './report';

/** What to tell the operator when a store is missing: where its name came from. */
export interface StoreHints {
  missing: string;
  access: string;
}

export async function checkTable(dynamo: DynamoDBClient, table: string, hints: StoreHints): Promise<CheckResult> {
  try {
    if (await tableExists(dynamo, table)) return pass('table', `${table} reachable`);
    return fail('table', `table ${table} not found`, hints.missing);
  } catch (e) {
    return failed('table', `describe table ${table}`, causeOf(e), hints.access);
  }
}

export async function checkBucket(s3: S3Client, bucket: string, hints: StoreHints): Promise<CheckResult> {
  try {
    if (await bucketExists(s3, bucket)) return pass('bucket', `${bucket} reachable`);
    return fail('bucket', `bucket ${bucket} not found`, hints.missing);
  } catch (e) {
    return failed('bucket', `reach bucket ${bucket}`, causeOf(e), hints.access);
  }
}

/**
 * Every key's pointer and how long ago it moved. A fresh deploy has none yet: that passes, with a
 * hint, because nothing is wrong until Optimizely has sent a webhook.
 */
export async function checkPointers(dynamo: DynamoDBClient, table: string, now: Date): Promise<CheckResult> {
  const pointers: Pointer[] = [];
  try {
    for await (const p of new DynamoLedger({ table, client: dynamo }).listPointers()) pointers.push(p);
  } catch (e) {
    return failed('pointers', `list pointers in ${table}`, causeOf(e), 'your credentials need dynamodb:Scan on the table and its indexes');
  }
  if (pointers.length === 0) {
    return pass(
      'pointers',
      'no keys yet: run `datafile-sync sync <sdkKey> --project <id>` or save a change in Optimizely to send a webhook',
    );
  }
  pointers.sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt));
  const [newest] = pointers;
  const oldest = pointers[pointers.length - 1];
  const at = (p: Pointer) => `${age(p.updatedAt, now)} ago (${p.key} r${p.revision})`;
  const parts = [`${plural(pointers.length, 'key')}, newest moved ${newest ? at(newest) : '?'}`];
  if (oldest && pointers.length > 1) parts.push(`oldest ${at(oldest)}`);
  const pinned = pointers.filter((p) => p.pinned).length;
  if (pinned > 0) parts.push(`${pinned} pinned`);
  return pass('pointers', parts.join('; '));
}

/** inspect.ts wraps AWS errors in a StorageError; the AWS error (AccessDenied…) is the useful part. */
function causeOf(e: unknown): unknown {
  return e instanceof Error && e.cause !== undefined ? e.cause : e;
}
