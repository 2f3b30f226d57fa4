import { createHash } from 'node:crypto';

/**
 * What `reader.get(key)` resolves: the exact stored bytes of the current revision, as a string.
 * `stale` is true while the store cannot be read (the reader keeps serving its last good copy) or
 * while a bootstrap datafile stands in; `source` says which of the two it is.
 *
 * @example
 * const { revision, datafile, stale } = await reader.get('sdk_key');
 * if (stale) metrics.count('datafile_stale');
 */
export interface DatafileResult {
  readonly key: string;
  readonly revision: number;
  readonly datafile: string;
  /** Hex sha256 of `datafile`'s bytes (what the pointer names, verified on every download). */
  readonly sha256: string;
  /** When the pointer last moved (ISO 8601); empty for a bootstrap datafile. */
  readonly updatedAt: string;
  readonly stale: boolean;
  readonly source: 'store' | 'bootstrap';
}

/** One loaded datafile with both of its views pre-built, so the hot path allocates nothing. */
export interface Entry {
  fresh: DatafileResult;
  stale: DatafileResult;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function makeEntry(base: Omit<DatafileResult, 'stale'>): Entry {
  return { fresh: Object.freeze({ ...base, stale: false }), stale: Object.freeze({ ...base, stale: true }) };
}

/** A caller-supplied datafile, used only while the store has never answered for the key. */
export function bootstrapEntry(key: string, datafile: string): Entry {
  let revision = Number.NaN;
  try {
    revision = Number((JSON.parse(datafile) as { revision?: unknown }).revision);
  } catch {
    // not JSON: still served as given (the caller chose it); revision stays NaN
  }
  return makeEntry({ key, revision, datafile, sha256: sha256Hex(datafile), updatedAt: '', source: 'bootstrap' });
}
