import { CopyObjectCommand, DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { storageError } from '../errors';
import { mirrorObjectKey } from '../layout';
import type { DatafileMirror, MirrorSource } from '../mirror/publish';

export interface S3MirrorOptions {
  bucket: string;
  /** The stack's S3 client (every caller has one, built by lib/aws/clients.ts). */
  client: S3Client;
  /**
   * `Cache-Control: max-age` the copy carries (CloudFront and SDK caches honour it). Absent (the CLI,
   * which does not know the stack's setting): keep the max-age of the copy being replaced, else 1 s.
   */
  maxAgeSeconds?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Metadata names of a mirror copy (S3 returns them as `x-amz-meta-*`). */
export const MIRROR_META = { sha256: 'sha256', revision: 'revision', updatedAt: 'updated-at', lastModified: 'last-modified' } as const;

interface Previous {
  meta: Record<string, string>;
  cacheControl?: string;
  /** S3's own LastModified of the copy: CloudFront's Last-Modified. */
  s3LastModified?: Date;
}

/**
 * The SDK mirror on S3: `mirror/datafiles/{key}.json`, a server-side copy of the pointer's revision
 * object, which CloudFront serves at `/datafiles/{key}.json`. Metadata carries the sha256, the
 * revision, the pointer's updatedAt and the Last-Modified date the local route answers with.
 *
 * Why Last-Modified is bumped: SDKs poll with If-Modified-Since, whose resolution is one second.
 * Two moves within one second would share a Last-Modified, and an SDK that fetched the first
 * would get 304 for the second and stay behind until the next move. So each copy's date is at
 * least a second after the previous one: in the metadata (local route) and in S3's LastModified
 * (CloudFront), by copying again in the next second when S3 stamped both in the same one.
 */
export class S3Mirror implements DatafileMirror {
  readonly client: S3Client;
  readonly bucket: string;
  readonly maxAgeSeconds: number | undefined;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: S3MirrorOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.maxAgeSeconds = options.maxAgeSeconds;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async publish(pointer: MirrorSource): Promise<void> {
    const previous = await this.previous(pointer.key);
    // Every settle (duplicates, pins that hold) calls this: skip the copy when the mirror already has
    // this move, so its dates stay those of the real move.
    const cacheControl = `max-age=${this.maxAgeSeconds ?? maxAgeOf(previous?.cacheControl) ?? DEFAULT_MAX_AGE_SECONDS}`;
    if (previous && isCopyOf(previous, pointer, cacheControl)) return;
    const lastModified = nextLastModified(pointer.updatedAt, previous?.meta[MIRROR_META.lastModified]);
    for (let attempt = 0; ; attempt++) {
      const stamped = await this.copy(pointer, lastModified, cacheControl);
      const before = previous?.s3LastModified;
      if (!before || !stamped || second(stamped) > second(before) || attempt >= 2) return;
      await this.sleep(1000 - (Date.now() % 1000) + 50);
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

  private async copy(pointer: MirrorSource, lastModified: string, cacheControl: string): Promise<Date | undefined> {
    try {
      const out = await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: mirrorObjectKey(pointer.key),
          CopySource: `${this.bucket}/${pointer.s3Key}`,
          MetadataDirective: 'REPLACE',
          ContentType: 'application/json',
          CacheControl: cacheControl,
          ServerSideEncryption: 'AES256',
          Metadata: {
            [MIRROR_META.sha256]: pointer.sha256,
            [MIRROR_META.revision]: String(pointer.revision),
            [MIRROR_META.updatedAt]: pointer.updatedAt,
            [MIRROR_META.lastModified]: lastModified,
          },
        }),
      );
      return out.CopyObjectResult?.LastModified;
    } catch (e) {
      throw storageError('update the SDK mirror copy', e);
    }
  }

  private async previous(key: string): Promise<Previous | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: mirrorObjectKey(key) }));
      return { meta: out.Metadata ?? {}, cacheControl: out.CacheControl, s3LastModified: out.LastModified };
    } catch {
      // Missing (404, or 403 without s3:ListBucket on the prefix) or unreadable: the HEAD only saves
      // a copy, so copy and let the copy's own outcome decide.
      return undefined;
    }
  }
}

/** The stack's default `mirrorMaxAgeSeconds`. */
const DEFAULT_MAX_AGE_SECONDS = 1;

function isCopyOf(previous: Previous, pointer: MirrorSource, cacheControl: string): boolean {
  const meta = previous.meta;
  return (
    meta[MIRROR_META.sha256] === pointer.sha256 &&
    meta[MIRROR_META.revision] === String(pointer.revision) &&
    meta[MIRROR_META.updatedAt] === pointer.updatedAt &&
    previous.cacheControl === cacheControl
  );
}

/** The seconds of a `max-age=N` Cache-Control this mirror wrote; anything else is not ours to keep. */
export function maxAgeOf(cacheControl: string | undefined): number | undefined {
  const match = /^max-age=(\d{1,9})$/.exec(cacheControl ?? '');
  return match ? Number(match[1]) : undefined;
}

/** The move's second, or one second after the previous copy's date when that is not earlier. */
export function nextLastModified(updatedAt: string, previous: string | undefined): string {
  const move = second(new Date(updatedAt));
  const before = previous === undefined ? Number.NaN : second(new Date(previous));
  return new Date(Number.isNaN(before) || move > before ? move : before + 1000).toISOString();
}

function second(date: Date): number {
  return Math.floor(date.getTime() / 1000) * 1000;
}
