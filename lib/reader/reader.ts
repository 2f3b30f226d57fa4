import { createDatafileReaderWith } from './core';
import type { DatafileReader, DatafileReaderOptions } from './types';

/**
 * Creates a {@link DatafileReader}: memory inside `maxAgeMs`; then one DynamoDB GetItem of the
 * pointer; one S3 GetObject only when the revision changed (sha256-checked before it is served).
 * Store failures never take a loaded datafile away: it is served with `stale: true`. Keys are
 * checked before any request (`InvalidKeyError`), and at most `maxKeys` keys are kept in memory.
 *
 * @example
 * const reader = createDatafileReader({ table: process.env.DATAFILE_TABLE!, bucket: process.env.DATAFILE_BUCKET! });
 * export const handler = async () => {
 *   const { datafile } = await reader.get('sdk_key');
 *   return JSON.parse(datafile).revision;
 * };
 */
export function createDatafileReader(options: DatafileReaderOptions): DatafileReader {
  return createDatafileReaderWith(options, { now: Date.now });
}
