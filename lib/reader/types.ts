import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DatafileResult } from './entry';
import type { ReaderLogger } from './log';

/**
 * Options of {@link createDatafileReader}.
 *
 * @example
 * const options: DatafileReaderOptions = { table: 'datafiles', bucket: 'my-datafiles', maxAgeMs: 5_000 };
 */
export interface DatafileReaderOptions {
  /** The DynamoDB table the webhook writes (pointer items `pk=<key>, sk=POINTER`). */
  table: string;
  /** The S3 bucket holding the immutable revision objects the pointers name (`datafiles/{key}/revisions/…`). */
  bucket: string;
  /** Injected clients are used as given and never destroyed by `close()`. */
  dynamo?: DynamoDBClient;
  s3?: S3Client;
  /** Freshness window: answers from memory, with no I/O, for this long after a check. Default 1000. */
  maxAgeMs?: number;
  /** Upper bound for one refresh (pointer read + object download); past it the refresh fails. Default 3000. */
  timeoutMs?: number;
  /** Strongly consistent pointer reads (default true): a reader never sees the pointer go back and forth. */
  consistentRead?: boolean;
  /**
   * How many keys the reader keeps in memory (datafile, freshness, last error). Past it the least
   * recently used key is dropped and simply reloads on its next `get()`, so a flood of unknown keys
   * cannot grow memory. Keys with an `onChange` listener are never dropped. Default 1000.
   */
  maxKeys?: number;
  /**
   * A datafile per key (or a function) served, marked stale, while the store has never answered.
   * A map is read by own keys only: a key named `constructor` finds nothing unless the map has one.
   */
  bootstrap?: Record<string, string> | ((key: string) => string | undefined);
  logger?: ReaderLogger;
}

/**
 * Called with the new and the replaced datafile when `get()` discovers a new revision.
 *
 * @example
 * const stop = reader.onChange('sdk_key', (current, previous) => console.log(previous.revision, '->', current.revision));
 */
export type ChangeListener = (current: DatafileResult, previous: DatafileResult) => void;

/**
 * Reads the current datafile of a key from the webhook's stores. Build it once per container.
 *
 * @example
 * const reader = createDatafileReader({ table: 'datafiles', bucket: 'my-datafiles' });
 * const { datafile, revision } = await reader.get('sdk_key');
 */
export interface DatafileReader {
  /**
   * The current datafile: from memory inside the freshness window, else revalidated (see README).
   * A key that is not a datafile key rejects with `InvalidKeyError` (`invalid_key`) before any request.
   */
  get(key: string): Promise<DatafileResult>;
  /**
   * Fires once per new revision that `get()` discovers (not for the first load). Returns an
   * unsubscribe function. Listeners belong to the caller: they are kept (and their key is never
   * dropped from memory, see `maxKeys`) until unsubscribed or `close()`. Throws `InvalidKeyError`
   * for a key that is not a datafile key.
   */
  onChange(key: string, listener: ChangeListener): () => void;
  /** Releases the clients the reader built; later `get()` calls reject with `reader_closed`. */
  close(): Promise<void>;
}
