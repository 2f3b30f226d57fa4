import { createHash } from 'node:crypto';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { storageError } from '../errors';

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
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || (e as { name?: string }).name === 'NotFound' || (e as { name?: string }).name === 'NoSuchBucket') return false;
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
    const name = (e as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
    throw storageError(`read s3://${bucket}/${key}`, e);
  }
}
