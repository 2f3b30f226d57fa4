import { DatafileSyncError } from '../errors';

export { DatafileSyncError };

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
