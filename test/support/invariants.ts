import { createHash } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Table } from '../../lib/aws/table';
import {
  ATTR,
  aliasObjectKey,
  legacyRevisionObjectKey,
  POINTER_SK,
  REVISION_SK_PREFIX,
  revisionObjectKey,
  revisionsPrefix,
} from '../../lib/layout';
import { itemsFor, listObjects, type TestStores } from './stores';

/**
 * The storage invariants every test of faults and races checks, in one place:
 *   1. the pointer is the highest revision in history (nothing is pinned in these tests);
 *   2. every history item names its content address and has its S3 object there, with the sha256 and
 *      size it records (computed from the bytes); an orphan object of the same revision under another
 *      sha256 (a conflicting body that lost, or a crash before the transaction) is allowed: nothing names it;
 *   3. the pointer's fields are exactly its history item's;
 *   4. latest.json is byte-for-byte a stored revision no newer than the pointer — and, once
 *      converged, exactly the pointer's object, and the pointer's move settled (no `pendingEvent`, no `owedEvents`).
 * Returns a list of violations (empty when all hold), so a failure names every broken invariant.
 */
export async function checkInvariants(
  stores: TestStores,
  key: string,
  opts: { aliasConverged: boolean },
): Promise<{ violations: string[]; pointer?: number; history: number[] }> {
  const violations: string[] = [];
  const items = await itemsFor(stores, key);
  const pointerItem = items.find((i) => i[ATTR.sk]?.S === POINTER_SK);
  const history = items.filter((i) => i[ATTR.sk]?.S?.startsWith(REVISION_SK_PREFIX));
  const revisions = history.map((i) => Number(i.revision?.N));
  const pointer = pointerItem ? Number(pointerItem.revision?.N) : undefined;
  const max = revisions.length > 0 ? Math.max(...revisions) : undefined;
  if (pointer !== max) violations.push(`pointer is ${pointer}, highest stored revision is ${max}`);

  const bytesByRevision = new Map<number, Buffer>();
  for (const item of history) {
    const revision = Number(item.revision?.N);
    const named = item.s3Key?.S ?? '';
    if (named !== revisionObjectKey(key, revision, item.sha256?.S ?? '') && named !== legacyRevisionObjectKey(key, revision))
      violations.push(`history item ${revision} names ${named}, not its content address`);
    const bytes = await readBytes(stores, item.s3Key?.S ?? '');
    if (!bytes) {
      violations.push(`history item ${revision} has no S3 object at ${item.s3Key?.S}`);
      continue;
    }
    bytesByRevision.set(revision, bytes);
    if (sha256(bytes) !== item.sha256?.S) violations.push(`revision ${revision}: object sha256 differs from history`);
    if (bytes.length !== Number(item.size?.N)) violations.push(`revision ${revision}: object size differs from history`);
  }
  if (pointerItem && pointer !== undefined) {
    const own = history.find((i) => Number(i.revision?.N) === pointer);
    for (const field of ['s3Key', 'sha256', 'size'] as const) {
      if (JSON.stringify(own?.[field]) !== JSON.stringify(pointerItem[field]))
        violations.push(`pointer ${field} differs from its history item`);
    }
  }

  if (opts.aliasConverged && pointerItem?.pendingEvent) violations.push(`pointer move ${pointerItem.pendingEvent.S} is not settled`);
  if (opts.aliasConverged && pointerItem?.owedEvents) violations.push('pointer still owes the events of moves it replaced');

  const alias = await readBytes(stores, aliasObjectKey(key));
  if (pointer === undefined) {
    if (alias) violations.push('latest.json exists without a pointer');
  } else if (!alias) {
    if (opts.aliasConverged) violations.push('latest.json is missing');
  } else {
    const target = opts.aliasConverged ? [pointer] : revisions.filter((r) => r <= pointer);
    if (!target.some((r) => bytesByRevision.get(r)?.equals(alias))) {
      violations.push(opts.aliasConverged ? `latest.json is not revision ${pointer}` : 'latest.json is not a stored revision');
    }
  }
  return { violations, pointer, history: revisions.sort((a, b) => a - b) };
}

/** Revision objects in S3 for a key, by revision number (includes orphans a crash left behind). */
export async function storedObjects(stores: TestStores, key: string): Promise<number[]> {
  const keys = await listObjects(stores, revisionsPrefix(key));
  return keys.map((k) => Number(/\/(\d+)(?:-[0-9a-f]{64})?\.json$/.exec(k)?.[1])).sort((a, b) => a - b);
}

const probes = new Set<ReaderProbe>();

/** Stop every probe still running (an afterEach: a failed assertion must not leave one polling). */
export async function stopAllProbes(): Promise<void> {
  await Promise.all([...probes].map((p) => p.stop()));
}

export interface ReaderProbe {
  /** Stop polling; resolves to how many reads were made and every miss seen. */
  stop(): Promise<{ reads: number; misses: string[]; failedReads: number; tornReads: number }>;
}

/**
 * A reader that polls for the whole scenario: read the pointer, then at once GET the object it
 * names and check its sha256; also GET latest.json and check its bytes are a stored revision's.
 * Any pointer to missing or different bytes is recorded as a miss.
 */
export function startReaderProbe(stores: TestStores, key: string): ReaderProbe {
  let running = true;
  let reads = 0;
  let failedReads = 0;
  let tornReads = 0;
  const misses: string[] = [];
  const loop = (async () => {
    while (running) {
      try {
        await readOnce();
        reads++;
      } catch {
        // s3rver answers 500, or aborts the body, when a read races a write of the same object (S3
        // does not). Such a read saw nothing, so it is counted, not a miss.
        failedReads++;
        await new Promise((r) => setImmediate(r));
      }
    }
  })();
  async function readOnce() {
    const out = await stores.dynamo.send(
      new GetItemCommand({ TableName: stores.table, Key: Table.key(key, POINTER_SK), ConsistentRead: true }),
    );
    const s3Key = out.Item?.s3Key?.S;
    if (s3Key) {
      const sha = await readSettled(s3Key);
      if (!sha) misses.push(`pointer ${out.Item?.revision?.N} → ${s3Key} missing`);
      else if (sha === 'torn') misses.push(`pointer ${out.Item?.revision?.N} → ${s3Key} never settled`);
      else if (sha !== out.Item?.sha256?.S) misses.push(`pointer ${out.Item?.revision?.N} → ${s3Key} has other bytes`);
    }
    const alias = await readSettled(aliasObjectKey(key));
    if (alias === 'torn') misses.push('latest.json never settled: its bytes keep disagreeing with its own sha256 metadata');
    else if (alias) {
      const stored = await itemsFor(stores, key);
      if (!stored.some((i) => i[ATTR.sk]?.S?.startsWith(REVISION_SK_PREFIX) && i.sha256?.S === alias))
        misses.push('latest.json holds bytes of no stored revision');
    }
  }
  /**
   * The sha256 of an object's bytes, read until they agree with the object's own sha256 metadata.
   * s3rver rewrites a file in place (a PutObject of an existing key, a CopyObject onto latest.json)
   * and its metadata afterwards, and its GET stops at the old metadata's length; S3's writes are
   * atomic. So a read in between sees truncated or new bytes under old metadata. Such a torn read is
   * counted and read again; only a read that agrees with itself is judged, and one that has not
   * settled after 5 s is a miss.
   */
  async function readSettled(s3Key: string): Promise<string | undefined | 'torn'> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const object = await readObjectWithMeta(stores, s3Key);
      if (!object) return undefined;
      const sha = sha256(object.bytes);
      if (object.metadata.sha256 === undefined || sha === object.metadata.sha256) return sha;
      tornReads++;
      if (Date.now() > deadline) return 'torn';
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  const probe: ReaderProbe = {
    stop: async () => {
      running = false;
      await loop;
      probes.delete(probe);
      return { reads, misses, failedReads, tornReads };
    },
  };
  probes.add(probe);
  return probe;
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function readBytes(stores: TestStores, key: string): Promise<Buffer | undefined> {
  return (await readObjectWithMeta(stores, key))?.bytes;
}

async function readObjectWithMeta(
  stores: TestStores,
  key: string,
): Promise<{ bytes: Buffer; metadata: Record<string, string> } | undefined> {
  try {
    const out = await stores.s3.send(new GetObjectCommand({ Bucket: stores.bucket, Key: key }));
    return { bytes: Buffer.from((await out.Body?.transformToByteArray()) ?? []), metadata: out.Metadata ?? {} };
  } catch (e) {
    if ((e as { name?: string }).name === 'NoSuchKey') return undefined;
    throw e;
  }
}
