import { CopyObjectCommand, DeleteObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { storageError } from '../errors';
import { mirrorObjectKey } from '../layout';
import type { DatafileMirror, MirrorSource } from '../mirror/publish';

export interface S3MirrorOptions {
  bucket: string;
  client?: S3Client;
  /** `Cache-Control: max-age` the copy carries (CloudFront and SDK caches honour it). */
  maxAgeSeconds: number;
}

/** Metadata names of a mirror copy (S3 returns them as `x-amz-meta-*`). */
export const MIRROR_META = { sha256: 'sha256', revision: 'revision', updatedAt: 'updated-at' } as const;

/**
 * The SDK mirror on S3: `mirror/datafiles/{key}.json`, a server-side copy of the pointer's revision
 * object, which CloudFront serves at `/datafiles/{key}.json`. Metadata carries the sha256, the
 * revision and the time the pointer moved.
 */
export class S3Mirror implements DatafileMirror {
  readonly client: S3Client;
  readonly bucket: string;
  readonly maxAgeSeconds: number;

  constructor(options: S3MirrorOptions) {
    this.client = options.client ?? new S3Client({});
    this.bucket = options.bucket;
    this.maxAgeSeconds = options.maxAgeSeconds;
  }

  async publish(pointer: MirrorSource): Promise<void> {
    // Every settle (duplicates, pins that hold) calls this: skip the copy when the mirror already has
    // this move, so its S3 Last-Modified (CloudFront's validator) stays the time of the real move.
    if (await this.isCurrent(pointer)) return;
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: mirrorObjectKey(pointer.key),
          CopySource: `${this.bucket}/${pointer.s3Key}`,
          MetadataDirective: 'REPLACE',
          ContentType: 'application/json',
          CacheControl: `max-age=${this.maxAgeSeconds}`,
          ServerSideEncryption: 'AES256',
          Metadata: {
            [MIRROR_META.sha256]: pointer.sha256,
            [MIRROR_META.revision]: String(pointer.revision),
            [MIRROR_META.updatedAt]: pointer.updatedAt,
          },
        }),
      );
    } catch (e) {
      throw storageError('update the SDK mirror copy', e);
    }
  }

  async remove(key: string): Promise<void> {
    try {
      // DeleteObject succeeds for a missing key: removing twice is harmless.
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: mirrorObjectKey(key) }));
    } catch (e) {
      throw storageError('remove the SDK mirror copy', e);
    }
  }

  private async isCurrent(pointer: MirrorSource): Promise<boolean> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: mirrorObjectKey(pointer.key) }));
      const meta = out.Metadata ?? {};
      return (
        meta[MIRROR_META.sha256] === pointer.sha256 &&
        meta[MIRROR_META.revision] === String(pointer.revision) &&
        meta[MIRROR_META.updatedAt] === pointer.updatedAt &&
        out.CacheControl === `max-age=${this.maxAgeSeconds}`
      );
    } catch {
      // Missing (404, or 403 without s3:ListBucket on the prefix) or unreadable: the HEAD only saves
      // a copy, so copy and let the copy's own outcome decide.
      return false;
    }
  }
}
