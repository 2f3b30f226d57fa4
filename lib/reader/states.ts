import type { DatafileResult, Entry } from './entry';

/** What the reader remembers about one key. */
export interface KeyState {
  entry?: Entry;
  current?: DatafileResult;
  checkedAt: number;
  error?: unknown;
  inflight?: Promise<DatafileResult>;
}

/**
 * Per-key states, bounded: past `maxKeys` the least recently used key is dropped. A dropped key
 * reloads on its next `get()`; a refresh already running for it keeps its own state object and
 * still settles its callers. Keys for which `keep(key)` is true (the caller registered change
 * listeners) are never dropped: their count is the caller's to bound.
 */
export class KeyStates {
  // A Map iterates in insertion order: re-inserting a key on use makes the first key the least recent.
  private readonly map = new Map<string, KeyState>();
  private last: string | undefined;

  constructor(
    private readonly maxKeys: number,
    private readonly keep: (key: string) => boolean,
  ) {}

  /** The key's state (created when absent), now the most recently used. */
  use(key: string): KeyState {
    let state = this.map.get(key);
    if (state) {
      // The hot path usually asks for the same key again: skip the reorder then.
      if (this.last !== key) this.touch(key, state);
      return state;
    }
    state = { checkedAt: Number.NEGATIVE_INFINITY };
    this.touch(key, state);
    if (this.map.size > this.maxKeys) this.evict(key);
    return state;
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
    this.last = undefined;
  }

  private touch(key: string, state: KeyState): void {
    this.map.delete(key);
    this.map.set(key, state);
    this.last = key;
  }

  /** Oldest first, down to `maxKeys` (more than one when kept keys had pushed the count over it). */
  private evict(newest: string): void {
    for (const key of this.map.keys()) {
      if (this.map.size <= this.maxKeys) return;
      if (key !== newest && !this.keep(key)) this.map.delete(key);
    }
  }
}
