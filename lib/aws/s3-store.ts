import { createHash } from 'node:crypto';
import { CopyObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { storageError } from '../errors';
import { aliasObjectKey } from '../layout';
import type { DatafileStore, Pointer, StoredRevision } from '../sync/ports';
import { isS3NotFound } from './inspect';

export interface S3StoreOptions {
  bucket: string;
  client: S3Client;
}

/** DatafileStore on S3: immutable, content-addressed revision objects plus the `latest.json` alias. */
export class S3Store implements DatafileStore {
  readonly client: S3Client;
  readonly bucket: string;

  constructor(options: S3StoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
  }

  /**
   * Why no existence check and no conditional PUT: the object key names the bytes' sha256, so
   * writing it again can only write the same bytes. Two different bodies announced under one
   * revision land under two keys; DynamoDB decides which one the history names.
   */
  async putRevision(rev: StoredRevision, bytes: Buffer): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: rev.s3Key,
          Body: bytes,
          ContentType: 'application/json',
          CacheControl: 'public, max-age=31536000, immutable',
          ServerSideEncryption: 'AES256',
          // S3 verifies this on receipt, so a corrupted upload is refused rather than stored.
          ChecksumSHA256: createHash('sha256').update(bytes).digest('base64'),
          Metadata: metadata(rev),
        }),
      );
    } catch (e) {
      throw storageError('store the datafile in S3', e);
    }
  }

  async readObject(s3Key: string): Promise<Buffer | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: s3Key }));
      return Buffer.from((await out.Body?.transformToByteArray()) ?? []);
    } catch (e) {
      if (isS3NotFound(e)) return undefined;
      throw storageError('read a datafile from S3', e);
    }
  }

  async copyToAlias(pointer: Pointer): Promise<void> {
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: aliasObjectKey(pointer.key),
          CopySource: `${this.bucket}/${pointer.s3Key}`,
          MetadataDirective: 'REPLACE',
          ContentType: 'application/json',
          // The alias changes: caches (a CDN in front of the bucket) must revalidate.
          CacheControl: 'no-cache',
          ServerSideEncryption: 'AES256',
          Metadata: metadata(pointer),
        }),
      );
    } catch (e) {
      throw storageError('update latest.json', e);
    }
  }
}

function metadata(rev: StoredRevision): Record<string, string> {
  const meta: Record<string, string> = { sha256: rev.sha256, revision: String(rev.revision), 'project-id': rev.projectId };
  if (rev.environment !== undefined) meta.environment = encodeURIComponent(rev.environment);
  return meta;
}
