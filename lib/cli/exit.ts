import { ConfigError, DatafileError, DatafileSyncError, describeError, StorageError } from '../errors';

/**
 * Exit codes scripts can rely on (README "Operator CLI"):
 *   0 ok · 1 verify or doctor found problems · 2 usage or configuration · 3 table, bucket, key or revision
 *   not found · 4 AWS / store error · 5 Optimizely datafile could not be fetched or is invalid ·
 *   6 refused: the target revision's stored bytes are missing or corrupt, or the key's state does not
 *   allow it (approve while pinned or backwards); nothing moved
 */
export const EXIT = { ok: 0, problems: 1, usage: 2, notFound: 3, store: 4, datafile: 5, refused: 6 } as const;

/** The command line is wrong: unknown option, missing argument. */
export class UsageError extends DatafileSyncError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super('usage', message);
  }
}

/** A table, bucket, key or revision the command names does not exist. */
export class NotFoundError extends DatafileSyncError {
  override readonly name = 'NotFoundError';
  constructor(message: string) {
    super('not_found', message);
  }
}

/** Map any error to an exit code and a one-line message for stderr. */
export function exitFor(error: unknown): { code: number; message: string } {
  if (error instanceof UsageError || error instanceof ConfigError) return { code: EXIT.usage, message: error.message };
  if (error instanceof NotFoundError) return { code: EXIT.notFound, message: error.message };
  // Before the generic datafile code: a pointer move refused over damaged stored bytes needs an
  // operator (restore the object, or pick another revision), not a retry of an Optimizely fetch.
  if (error instanceof DatafileError && (error.code === 'object_missing' || error.code === 'object_corrupt'))
    return { code: EXIT.refused, message: error.message };
  // Optimizely serves other bytes under a revision already stored: the first stored wins, and a
  // retry of the fetch changes nothing (see "A webhook answered 409 revision_conflict").
  if (error instanceof DatafileError && error.code === 'revision_conflict') return { code: EXIT.refused, message: error.message };
  if (error instanceof DatafileSyncError && error.code === 'approve_refused') return { code: EXIT.refused, message: error.message };
  if (error instanceof DatafileError) return { code: EXIT.datafile, message: error.message };
  if (error instanceof StorageError) {
    const cause = describeError(error).cause;
    return { code: EXIT.store, message: cause ? `${error.message} ${cause}` : error.message };
  }
  const d = describeError(error);
  return { code: EXIT.store, message: `${d.name ?? 'Error'}: ${d.message}` };
}
