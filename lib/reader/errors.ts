import { DatafileSyncError } from '../errors';

export { DatafileSyncError };

/**
 * The key is not a datafile key: 1–128 characters of `A-Z a-z 0-9 _ -`, the rule the webhook stores
 * keys by (`isValidKey`). Rejected before any request, so a bad key costs no I/O and no memory.
 * `key` is the value as given (it may not even be a string when called from JavaScript).
 *
 * @example
 * reader.get('').catch((e) => e instanceof InvalidKeyError && e.code === 'invalid_key'); // true
 */
export class InvalidKeyError extends DatafileSyncError {
  override readonly name = 'InvalidKeyError';
  constructor(readonly key: unknown) {
    super('invalid_key', `Not a datafile key: ${preview(key)}; expected 1-128 characters of A-Z, a-z, 0-9, _ and -.`);
  }
}

/** Enough of a bad key to recognise it, without copying kilobytes of it into every message. */
function preview(key: unknown): string {
  if (typeof key !== 'string') return `a value of type ${key === null ? 'null' : typeof key}`;
  const shown = key.length > 40 ? `${key.slice(0, 40)}…` : key;
  return `${JSON.stringify(shown)} (${key.length} characters)`;
}

/**
 * No datafile is stored under the key (no pointer item), and nothing was ever loaded for it.
 *
 * @example
 * try { await reader.get('sdk_key'); } catch (e) { if (e instanceof DatafileNotFoundError) console.log(e.code); } // 'datafile_not_found'
 */
export class DatafileNotFoundError extends DatafileSyncError {
  override readonly name = 'DatafileNotFoundError';
  constructor(readonly key: string) {
    super('datafile_not_found', `No datafile is stored for key ${key}.`);
  }
}

/**
 * DynamoDB or S3 failed (or timed out) and the reader has nothing to serve for the key yet.
 * `cause` keeps the underlying AWS error.
 *
 * @example
 * reader.get('sdk_key').catch((e) => e instanceof DatafileUnavailableError && e.code === 'datafile_unavailable');
 */
export class DatafileUnavailableError extends DatafileSyncError {
  override readonly name = 'DatafileUnavailableError';
  constructor(
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    const name = (options?.cause as { name?: string } | null)?.name ?? 'Error';
    super('datafile_unavailable', `The datafile store could not be read for key ${key} (${name}).`, options);
  }
}

/**
 * The bytes in S3 do not match the sha256 the pointer names: they are never served.
 *
 * @example
 * reader.get('sdk_key').catch((e) => e instanceof DatafileIntegrityError && e.code === 'datafile_integrity');
 */
export class DatafileIntegrityError extends DatafileSyncError {
  override readonly name = 'DatafileIntegrityError';
  constructor(
    readonly key: string,
    readonly revision: number,
  ) {
    super('datafile_integrity', `Stored bytes of revision ${revision} of ${key} do not match their sha256.`);
  }
}

/**
 * `get()` was called after `close()`.
 *
 * @example
 * await reader.close(); await reader.get('sdk_key'); // rejects with code 'reader_closed'
 */
export class ReaderClosedError extends DatafileSyncError {
  override readonly name = 'ReaderClosedError';
  constructor() {
    super('reader_closed', 'The datafile reader is closed.');
  }
}
