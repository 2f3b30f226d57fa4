import { createHash } from 'node:crypto';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isS3NotFound } from '../lib/aws/inspect';
import { MIRROR_META } from '../lib/aws/s3-mirror';
import { DATAFILE_PATH_PREFIX, keyFromDatafilePath, mirrorObjectKey } from '../lib/layout';
import { type MirrorObject, mirrorResponse } from '../lib/mirror/respond';
import type { RawRoute } from './http-adapter';

export interface LocalMirrorOptions {
  s3: S3Client;
  bucket: string;
  maxAgeSeconds: number;
}

/**
 * The SDK mirror of the local stack: `GET /datafiles/{sdkKey}.json` answered from the same S3 object
 * CloudFront serves when deployed (`mirror/datafiles/{key}.json`), by the pure rules of lib/mirror.
 * Paths under /datafiles/ that are not a valid key are 404 here (never another route).
 */
export function localMirrorRoute(options: LocalMirrorOptions): RawRoute {
  return (path, request) => {
    if (!path.startsWith(DATAFILE_PATH_PREFIX)) return undefined;
    const key = keyFromDatafilePath(path);
    return (async () => mirrorResponse(request, key === undefined ? undefined : await readMirror(options, key), options))();
  };
}

/**
 * One GetObject (not HEAD then GET): the metadata and the bytes come from the same object version,
 * so the ETag always describes the body sent with it. Bytes that do not match their sha256 are an
 * error, not a datafile.
 */
async function readMirror(options: LocalMirrorOptions, key: string): Promise<MirrorObject | undefined> {
  try {
    const out = await options.s3.send(new GetObjectCommand({ Bucket: options.bucket, Key: mirrorObjectKey(key) }));
    const body = Buffer.from((await out.Body?.transformToByteArray()) ?? []);
    const meta = out.Metadata ?? {};
    const sha256 = meta[MIRROR_META.sha256];
    const lastModified = meta[MIRROR_META.lastModified];
    if (!sha256 || !lastModified || createHash('sha256').update(body).digest('hex') !== sha256) {
      throw new Error(`mirror copy of ${key} does not match its sha256 metadata`);
    }
    return { body, sha256, lastModified, revision: Number(meta[MIRROR_META.revision]) };
  } catch (e) {
    if (isS3NotFound(e)) return undefined;
    throw e;
  }
}
