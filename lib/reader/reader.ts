import { bootstrapEntry, type DatafileResult, type Entry, makeEntry, sha256Hex } from './entry';
import { DatafileIntegrityError, DatafileNotFoundError, DatafileSyncError, DatafileUnavailableError, ReaderClosedError } from './errors';
import { consoleLogger, describe } from './log';
import { ReaderStore } from './store';
import type { ChangeListener, DatafileReader, DatafileReaderOptions } from './types';

interface KeyState {
  entry?: Entry;
  current?: DatafileResult;
  checkedAt: number;
  error?: unknown;
  inflight?: Promise<DatafileResult>;
}

/**
 * Creates a {@link DatafileReader}: memory inside `maxAgeMs`; then one DynamoDB GetItem of the
 * pointer; one S3 GetObject only when the revision changed (sha256-checked before it is served).
 * Store failures never take a loaded datafile away: it is served with `stale: true`.
 *
 * @example
 * const reader = createDatafileReader({ table: process.env.DATAFILE_TABLE!, bucket: process.env.DATAFILE_BUCKET! });
 * export const handler = async () => {
 *   const { datafile } = await reader.get('sdk_key');
 *   return JSON.parse(datafile).revision;
 * };
 */
export function createDatafileReader(options: DatafileReaderOptions): DatafileReader {
  if (!options.table || !options.bucket) throw new DatafileSyncError('invalid_reader_options', 'table and bucket are required.');
  const maxAgeMs = options.maxAgeMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 3000;
  const now = options.now ?? Date.now;
  const log = options.logger ?? consoleLogger;
  const store = new ReaderStore({ ...options, consistentRead: options.consistentRead ?? true });
  const states = new Map<string, KeyState>();
  const listeners = new Map<string, Set<ChangeListener>>();
  let closed = false;

  async function refresh(key: string, s: KeyState): Promise<DatafileResult> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`refresh timed out after ${timeoutMs} ms`)), timeoutMs);
    try {
      const pointer = await store.readPointer(key, abort.signal);
      if (!pointer) throw new DatafileNotFoundError(key);
      const held = s.entry?.fresh;
      if (held && held.revision === pointer.revision && held.sha256 === pointer.sha256) {
        if (held.source === 'bootstrap') s.entry = makeEntry({ ...held, updatedAt: pointer.updatedAt, source: 'store' });
        return fresh(key, s);
      }
      const bytes = await store.readObject(pointer.s3Key, abort.signal);
      // Never serve bytes that are not the ones the pointer names.
      if (sha256Hex(bytes) !== pointer.sha256) throw new DatafileIntegrityError(key, pointer.revision);
      const { s3Key: _, ...meta } = pointer;
      s.entry = makeEntry({ key, ...meta, datafile: Buffer.from(bytes).toString('utf8'), source: 'store' });
      log({ level: 'info', message: 'datafile loaded', key, revision: pointer.revision, previousRevision: held?.revision });
      const result = fresh(key, s);
      if (held) notify(key, result, held);
      return result;
    } catch (e) {
      return failed(key, s, e);
    } finally {
      clearTimeout(timer);
    }
  }

  function fresh(key: string, s: KeyState): DatafileResult {
    if (s.current?.stale && s.entry?.fresh.source === 'store') log({ level: 'info', message: 'datafile store recovered', key });
    s.checkedAt = now();
    s.error = undefined;
    s.current = s.entry?.fresh;
    return s.current as DatafileResult;
  }

  function failed(key: string, s: KeyState, e: unknown): DatafileResult {
    // Retry after the window, not on every call: a dead store costs one attempt per window.
    s.checkedAt = now();
    if (!s.entry) {
      const boot = typeof options.bootstrap === 'function' ? options.bootstrap(key) : options.bootstrap?.[key];
      if (boot !== undefined) s.entry = bootstrapEntry(key, boot);
    }
    const error = e instanceof DatafileSyncError ? e : new DatafileUnavailableError(key, { cause: e });
    if (!s.entry) {
      s.error = error;
      log({ level: 'error', message: 'datafile unavailable', key, ...describe(error) });
      throw error;
    }
    s.current = s.entry.stale;
    log({ level: 'warn', message: 'serving stale datafile', key, revision: s.current.revision, ...describe(error) });
    return s.current;
  }

  function newState(key: string): KeyState {
    const s: KeyState = { checkedAt: Number.NEGATIVE_INFINITY };
    states.set(key, s);
    return s;
  }

  function notify(key: string, current: DatafileResult, previous: DatafileResult): void {
    for (const listener of listeners.get(key) ?? []) {
      try {
        listener(current, previous);
      } catch (e) {
        log({ level: 'error', message: 'change listener failed', key, revision: current.revision, ...describe(e) });
      }
    }
  }

  return {
    async get(key) {
      if (closed) throw new ReaderClosedError();
      const s = states.get(key) ?? newState(key);
      if (now() - s.checkedAt < maxAgeMs) {
        if (s.current) return s.current;
        if (s.error) throw s.error;
      }
      s.inflight ??= refresh(key, s).finally(() => {
        s.inflight = undefined;
      });
      return s.inflight;
    },
    onChange(key, listener) {
      const set = listeners.get(key) ?? new Set<ChangeListener>();
      listeners.set(key, set);
      set.add(listener);
      return () => set.delete(listener);
    },
    async close() {
      closed = true;
      listeners.clear();
      store.close();
    },
  };
}
