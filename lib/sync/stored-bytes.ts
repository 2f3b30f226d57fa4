import { createHash } from 'node:crypto';
import { diffDatafiles, summarize } from '../changes';
import { DatafileError, describeError } from '../errors';
import type { Logger } from '../log';
import { moveSummaryOf } from './events';
import type { DatafileStore, MoveSummary, StoredRevision, SummarizeMove } from './ports';

/** Stored revisions read back for an operator's move (pin, unpin, approve, an alarm rollback). */

/** The revision's bytes; throws `object_missing` / `object_corrupt` unless they are its recorded bytes. */
export async function verifyBytes(rev: StoredRevision, store: DatafileStore): Promise<Buffer> {
  const bytes = await store.readObject(rev.s3Key);
  if (!bytes) {
    throw new DatafileError(
      'object_missing',
      `Revision ${rev.revision} of ${rev.key}: its object ${rev.s3Key} is missing; refusing to point at it.`,
    );
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== rev.sha256) {
    throw new DatafileError(
      'object_corrupt',
      `Revision ${rev.revision} of ${rev.key}: ${rev.s3Key} has sha256 ${sha256}, recorded ${rev.sha256}; refusing to point at it.`,
    );
  }
  return bytes;
}

export interface MoveReads {
  /** `verifyBytes`, each object read once: the summary reuses the bytes a move verified. */
  verify(rev: StoredRevision): Promise<Buffer>;
  /**
   * What a move from `from` to `to` changes, for its change event: the diff of the two objects, each
   * checked against its recorded sha256 (a corrupt live object must not describe the move). Once per
   * pair, however often a contended move retries. Undefined, logged, when it cannot be made: a
   * summary is a bonus, and a pin or a rollback must never wait on it.
   */
  summarize: SummarizeMove;
}

/** The reads of one operator move. */
export function moveReads(store: DatafileStore, logger?: Logger): MoveReads {
  const reads = new Map<string, Promise<Buffer>>();
  const verify = (rev: StoredRevision): Promise<Buffer> => {
    // Objects stored before content addressing are named by revision only: the sha256 tells them apart.
    const id = `${rev.s3Key}#${rev.sha256}`;
    let read = reads.get(id);
    if (!read) {
      read = verifyBytes(rev, store);
      reads.set(id, read);
    }
    return read;
  };
  const summaries = new Map<string, Promise<MoveSummary | undefined>>();
  const summarizeMove: SummarizeMove = (from, to) => {
    const id = `${from ? `${from.s3Key}#${from.sha256}` : ''}>${to.s3Key}#${to.sha256}`;
    let summary = summaries.get(id);
    if (!summary) {
      summary = Promise.all([from && verify(from), verify(to)])
        .then(([before, after]) => {
          const previous: unknown = before && JSON.parse(before.toString('utf8'));
          return moveSummaryOf(summarize(diffDatafiles(previous, JSON.parse(after.toString('utf8')))));
        })
        .catch((error: unknown) => {
          logger?.warn('diff failed', { key: to.key, revision: to.revision, base: from?.revision, error: describeError(error) });
          return undefined;
        });
      summaries.set(id, summary);
    }
    return summary;
  };
  return { verify, summarize: summarizeMove };
}
