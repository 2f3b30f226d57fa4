import { createHash } from 'node:crypto';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { storageError } from '../errors';

/** True when S3 answered that the bucket or object does not exist (HEAD gives a bare 404). */
export function isS3NotFound(e: unknown): boolean {
  const { name, $metadata } = (e ?? {}) as { name?: string; $metadata?: { httpStatusCode?: number } };
  return $metadata?.httpStatusCode === 404 || name === 'NotFound' || name === 'NoSuchKey' || name === 'NoSuchBucket';
}

/** Operator checks (CLI): does the table / bucket exist, and what do stored objects really hold. */
export async function tableExists(client: DynamoDBClient, table: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: table }));
    return true;
  } catch (e) {
    if ((e as { name?: string }).name === 'ResourceNotFoundException') return false;
    throw storageError(`describe table ${table}`, e);
  }
}

export async function bucketExists(client: S3Client, bucket: string): Promise<boolean> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (e) {
    if (isS3NotFound(e)) return false;
    throw storageError(`reach bucket ${bucket}`, e);
  }
}

/** What an object actually holds: sha256 of its bytes and its metadata. Undefined when absent. */
export interface ObjectFacts {
  sha256: string;
  size: number;
  metadata: Record<string, string>;
}

export async function objectFacts(client: S3Client, bucket: string, key: string): Promise<ObjectFacts | undefined> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = Buffer.from((await out.Body?.transformToByteArray()) ?? []);
    return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, metadata: out.Metadata ?? {} };
  } catch (e) {
    if (isS3NotFound(e)) return undefined;
    throw storageError(`read s3://${bucket}/${key}`, e);
  }
}
