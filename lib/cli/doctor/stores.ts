import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { DynamoLedger } from '../../aws/dynamo-ledger';
import { bucketExists, tableExists } from '../../aws/inspect';
import type { Pointer } from '../../sync/ports';
import { age, table as columns } from '../io';
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

/** One key's pointer as `doctor --json` reports it. */
export interface KeyPointer {
  key: string;
  projectId: string;
  environment?: string;
  revision: number;
  updatedAt: string;
  /** `12s`, `3m`, `2d 4h`: since the pointer last moved. */
  age: string;
  ageSeconds: number;
  pinned: boolean;
  /** Why it is pinned, when it is (`pin` by an operator, `rollback: <alarm>` by an alarm). */
  pinReason?: string;
  /** A newer revision guardrails held, waiting for `datafile-sync approve`. */
  heldRevision?: number;
  /** The last move's alias copy or change event is still due (reconcile settles it). */
  unsettled: boolean;
}

/** How many keys the text output lists under the pointers line; --json has them all. */
export const LISTED_KEYS = 10;

/**
 * Every key's pointer and how long ago it moved: one summary line, then a line per key (keys that
 * are pinned, held or unsettled first, then the newest first; at most LISTED_KEYS, then how many
 * more and where to see them all: `listAll`). A fresh deploy has none yet: that passes, with a
 * hint, because nothing is wrong until Optimizely has sent a webhook.
 */
export async function checkPointers(dynamo: DynamoDBClient, table: string, now: Date, listAll: string): Promise<CheckResult> {
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
  const keys = pointers.map((p) => keyPointer(p, now));
  const byAge = [...keys].sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || a.key.localeCompare(b.key));
  const newest = byAge[0];
  const oldest = byAge[byAge.length - 1];
  const at = (k: KeyPointer) => `${k.age} ago (${k.key} r${k.revision})`;
  const parts = [`${plural(keys.length, 'key')}, newest moved ${newest ? at(newest) : '?'}`];
  if (oldest && keys.length > 1) parts.push(`oldest ${at(oldest)}`);
  const counts = [
    [keys.filter((k) => k.pinned).length, 'pinned'],
    [keys.filter((k) => k.heldRevision !== undefined).length, 'held'],
    [keys.filter((k) => k.unsettled).length, 'unsettled'],
  ] as const;
  const flagged = counts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
  if (flagged.length > 0) parts.push(flagged.join(', '));
  const listed = [...byAge.filter(needsLook), ...byAge.filter((k) => !needsLook(k))].slice(0, LISTED_KEYS);
  const rows = listed.map((k) => [
    k.key,
    `r${k.revision}`,
    `${k.age} ago`,
    k.environment ? `${k.projectId} ${k.environment}` : k.projectId,
    state(k),
  ]);
  const lines = columns(['', '', '', '', ''], rows).slice(1);
  if (keys.length > listed.length) lines.push(`… and ${keys.length - listed.length} more: ${listAll} lists every key`);
  return { ...pass('pointers', parts.join('; ')), lines, keys };
}

function keyPointer(p: Pointer, now: Date): KeyPointer {
  const held = p.heldRevision !== undefined && p.heldRevision > p.revision ? p.heldRevision : undefined;
  return {
    key: p.key,
    projectId: p.projectId,
    ...(p.environment !== undefined ? { environment: p.environment } : {}),
    revision: p.revision,
    updatedAt: p.updatedAt,
    age: age(p.updatedAt, now),
    ageSeconds: Math.max(0, Math.floor((now.getTime() - Date.parse(p.updatedAt)) / 1000)),
    pinned: p.pinned,
    ...(p.pinned && p.pinReason ? { pinReason: p.pinReason } : {}),
    ...(held !== undefined ? { heldRevision: held } : {}),
    unsettled: p.unsettled,
  };
}

const needsLook = (k: KeyPointer) => k.pinned || k.heldRevision !== undefined || k.unsettled;

/** `pinned (rollback: HighErrors), r7 held, unsettled`, or nothing. */
function state(k: KeyPointer): string {
  const bits: string[] = [];
  if (k.pinned) bits.push(k.pinReason && k.pinReason !== 'pin' ? `pinned (${k.pinReason})` : 'pinned');
  if (k.heldRevision !== undefined) bits.push(`r${k.heldRevision} held`);
  if (k.unsettled) bits.push('unsettled');
  return bits.join(', ');
}

/** inspect.ts wraps AWS errors in a StorageError; the AWS error (AccessDenied…) is the useful part. */
function causeOf(e: unknown): unknown {
  return e instanceof Error && e.cause !== undefined ? e.cause : e;
}
