import { createHash } from 'node:crypto';
import { CopyObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { storageError } from '../errors';
import type { DatafileStore, Pointer, StoredRevision } from '../sync/ports';
import { aliasS3Key } from '../sync/sync-datafile';
import { isS3NotFound } from './inspect';

export interface S3StoreOptions {
  bucket: string;
  client?: S3Client;
}

/** DatafileStore on S3: immutable revision objects and the `latest.json` alias. */
export class S3Store implements DatafileStore {
  readonly client: S3Client;
  readonly bucket: string;

  constructor(options: S3StoreOptions) {
    this.client = options.client ?? new S3Client({});
    this.bucket = options.bucket;
  }

  async putRevision(rev: StoredRevision, bytes: Buffer): Promise<void> {
    // Revision objects are immutable: if identical bytes are already there (an earlier attempt
    // stored them and then failed), write nothing.
    const existing = await this.head(rev.s3Key);
    if (existing?.sha256 === rev.sha256) return;
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

  async aliasState(key: string): Promise<{ sha256?: string; revision?: number } | undefined> {
    return this.head(aliasS3Key(key));
  }

  async copyToAlias(pointer: Pointer): Promise<void> {
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: aliasS3Key(pointer.key),
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

  private async head(s3Key: string): Promise<{ sha256?: string; revision?: number } | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: s3Key }));
      const revision = out.Metadata?.revision;
      return { sha256: out.Metadata?.sha256, revision: revision === undefined ? undefined : Number(revision) };
    } catch (e) {
      if (isS3NotFound(e)) return undefined;
      throw storageError('read object metadata from S3', e);
    }
  }
}

function metadata(rev: StoredRevision): Record<string, string> {
  const meta: Record<string, string> = { sha256: rev.sha256, revision: String(rev.revision), 'project-id': rev.projectId };
  if (rev.environment !== undefined) meta.environment = encodeURIComponent(rev.environment);
  return meta;
}
