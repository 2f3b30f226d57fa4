import { createHash } from 'node:crypto';
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DynamoLedger } from '../../lib/aws/dynamo-ledger';
import { S3Store } from '../../lib/aws/s3-store';
import { Table } from '../../lib/aws/table';
import { ATTR, legacyRevisionObjectKey, POINTER_SK, revisionObjectKey } from '../../lib/layout';
import { makeDatafile, PROJECT_ID } from './datafiles';

/** Where a test publishes datafiles: the webhook's own write path (S3Store + DynamoLedger). */
export interface PublishTarget {
  dynamo: DynamoDBClient;
  s3: S3Client;
  table: string;
  bucket: string;
}

/**
 * Store revision `revision` of `key` and move the pointer to it, exactly as the webhook does; with
 * `legacyLayout`, at the object key used before content addressing (`revisions/{revision}.json`).
 */
export async function publish(
  target: PublishTarget,
  key: string,
  revision: number,
  options: { flags?: Record<string, boolean>; text?: string; legacyLayout?: boolean } = {},
): Promise<{ text: string; sha256: string }> {
  const text = options.text ?? makeDatafile({ revision, flags: options.flags });
  const bytes = Buffer.from(text);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const rev = {
    key,
    revision,
    s3Key: options.legacyLayout ? legacyRevisionObjectKey(key, revision) : revisionObjectKey(key, revision, sha256),
    sha256,
    size: bytes.length,
    projectId: PROJECT_ID,
    environment: 'Production',
    storedAt: new Date().toISOString(),
  };
  await new S3Store({ bucket: target.bucket, client: target.s3 }).putRevision(rev, bytes);
  const result = await new DynamoLedger({ table: target.table, client: target.dynamo }).record(rev, { reason: 'webhook' });
  if (!result.moved) throw new Error(`pointer of ${key} did not move to ${revision}: ${result.reason}`);
  return { text, sha256 };
}

/** Point `key` back at an already stored revision (what a pin or rollback does to the pointer item). */
export async function pointAt(target: PublishTarget, key: string, revision: number, sha256: string): Promise<void> {
  await target.dynamo.send(
    new UpdateItemCommand({
      TableName: target.table,
      Key: Table.key(key, POINTER_SK),
      UpdateExpression: 'SET #r = :r, #k = :k, #h = :h, #u = :u, #p = :p',
      ExpressionAttributeNames: { '#r': ATTR.revision, '#k': ATTR.s3Key, '#h': ATTR.sha256, '#u': ATTR.updatedAt, '#p': ATTR.pinned },
      ExpressionAttributeValues: {
        ':r': { N: String(revision) },
        ':k': { S: revisionObjectKey(key, revision, sha256) },
        ':h': { S: sha256 },
        ':u': { S: new Date().toISOString() },
        ':p': { BOOL: true },
      },
    }),
  );
}

/** Overwrite a stored revision object with other bytes (a corruption a real server can hold). */
export async function corruptObject(target: PublishTarget, key: string, revision: number): Promise<void> {
  const stored = await new DynamoLedger({ table: target.table, client: target.dynamo }).getRevision(key, revision);
  if (!stored) throw new Error(`revision ${revision} of ${key} is not stored`);
  await target.s3.send(new PutObjectCommand({ Bucket: target.bucket, Key: stored.s3Key, Body: '{"corrupted":true}' }));
}

/** Record the name of every command a client sends (to count requests, not to fake them). */
export function recordCommands(client: DynamoDBClient | S3Client, sent: string[] = []): string[] {
  const stack = client.middlewareStack as unknown as {
    add(mw: (next: (a: unknown) => unknown, ctx: { commandName?: string }) => (a: unknown) => unknown, o: object): void;
  };
  stack.add(
    (next, context) => (args) => {
      sent.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name: `recordCommands-${Math.random()}` },
  );
  return sent;
}
