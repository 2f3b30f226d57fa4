/** One cached datafile: the last stored revision of a key. */
export interface CachedDatafile {
  revision: number;
  sha256: string;
  bytes: Buffer;
}

/**
 * The last stored datafile per key, in the webhook container's memory, least recently used out
 * first. The next revision of the key diffs against it without reading S3 (the warm, in-order
 * webhook stays at five AWS requests). Entries are matched on revision AND sha256, so a cached body
 * can only stand in for exactly the bytes the ledger records.
 */
export class DatafileCache {
  private readonly entries = new Map<string, CachedDatafile>();
  private bytes = 0;

  constructor(
    private readonly maxKeys = 64,
    private readonly maxBytes = 32 * 1024 * 1024,
  ) {}

  /** The bytes of `revision` of `key` when they are the cached ones. */
  get(key: string, revision: number, sha256: string): Buffer | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.revision !== revision || entry.sha256 !== sha256) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.bytes;
  }

  /** Keep the key's newest stored revision (an older one arriving late does not replace it). */
  remember(key: string, entry: CachedDatafile): void {
    const old = this.entries.get(key);
    if (old && old.revision > entry.revision) return;
    if (old) this.drop(key, old);
    if (entry.bytes.length > this.maxBytes) return;
    this.entries.set(key, entry);
    this.bytes += entry.bytes.length;
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.maxKeys && this.bytes <= this.maxBytes) break;
      this.drop(k, e);
    }
  }

  private drop(key: string, entry: CachedDatafile): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes.length;
  }
}
