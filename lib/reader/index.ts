/**
 * `optimizely-datafile-sync/reader`: load the current Optimizely datafile the webhook stored.
 *
 * @example
 * import { createDatafileReader } from 'optimizely-datafile-sync/reader';
 * const reader = createDatafileReader({ table: 'datafiles', bucket: 'my-datafiles' });
 * const { datafile } = await reader.get('sdk_key');
 */
export type { DatafileResult } from './entry';
export {
  DatafileIntegrityError,
  DatafileNotFoundError,
  DatafileSyncError,
  DatafileUnavailableError,
  InvalidKeyError,
  ReaderClosedError,
} from './errors';
export type { ReaderLogEvent, ReaderLogger } from './log';
export { createDatafileReader } from './reader';
export type { ChangeListener, DatafileReader, DatafileReaderOptions } from './types';
