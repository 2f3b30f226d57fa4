import { isValidKey } from '../layout';
import { bootstrapEntry, type DatafileResult, makeEntry, sha256Hex } from './entry';
import {
  DatafileIntegrityError,
  DatafileNotFoundError,
  DatafileSyncError,
  DatafileUnavailableError,
  InvalidKeyError,
  ReaderClosedError,
} from './errors';
import { consoleLogger, describe } from './log';
import { type KeyState, KeyStates } from './states';
import { ReaderStore } from './store';
import type { ChangeListener, DatafileReader, DatafileReaderOptions } from './types';

/** What the reader takes from its surroundings besides its options; tests inject a fake clock. */
export interface ReaderInternals {
  /** Clock in ms. */
  now: () => number;
}

/**
 * The reader itself. Not exported from the package entry: the published factory
 * (`createDatafileReader` in `./reader`) calls it with the real clock, so the clock never shows in
 * the public options, while tests call it with a fake one.
 */
export function createDatafileReaderWith(options: DatafileReaderOptions, internals: ReaderInternals): DatafileReader {
  if (!options.table || !options.bucket) throw new DatafileSyncError('invalid_reader_options', 'table and bucket are required.');
  const maxKeys = options.maxKeys ?? 1000;
  if (!Number.isInteger(maxKeys) || maxKeys < 1)
    throw new DatafileSyncError('invalid_reader_options', 'maxKeys must be a positive integer.');
  const maxAgeMs = options.maxAgeMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 3000;
  const { now } = internals;
  const log = options.logger ?? consoleLogger;
  const bootstrapFor = bootstrapLookup(options.bootstrap);
  const store = new ReaderStore({ ...options, consistentRead: options.consistentRead ?? true });
  const listeners = new Map<string, Set<ChangeListener>>();
  const states = new KeyStates(maxKeys, (key) => listeners.has(key));
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
      const boot = bootstrapFor(key);
      if (typeof boot === 'string') s.entry = bootstrapEntry(key, boot);
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
      // Before any request and before any memory is spent on the key.
      if (!isValidKey(key)) throw new InvalidKeyError(key);
      const s = states.use(key);
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
      if (!isValidKey(key)) throw new InvalidKeyError(key);
      const set = listeners.get(key) ?? new Set<ChangeListener>();
      listeners.set(key, set);
      set.add(listener);
      return () => {
        set.delete(listener);
        // An empty set would keep the key from ever being dropped (see KeyStates).
        if (set.size === 0 && listeners.get(key) === set) listeners.delete(key);
      };
    },
    async close() {
      closed = true;
      listeners.clear();
      states.clear();
      store.close();
    },
  };
}

/** A Map, never `record[key]`: a key named `constructor` or `__proto__` must not find Object.prototype's members. */
function bootstrapLookup(bootstrap: DatafileReaderOptions['bootstrap']): (key: string) => string | undefined {
  if (typeof bootstrap === 'function') return bootstrap;
  const byKey = new Map(Object.entries(bootstrap ?? {}));
  return (key) => byKey.get(key);
}
