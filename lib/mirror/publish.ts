/**
 * The port the core uses to keep the SDK mirror equal to the pointer (S3Mirror implements it), and
 * the one step that does it after the alias converged.
 */

/** The pointer facts a mirror copy is made from. */
export interface MirrorSource {
  key: string;
  /** The revision object to copy. */
  s3Key: string;
  sha256: string;
  revision: number;
  updatedAt: string;
  /** Whether the key had an access token when this revision was stored (absent: stored before this was recorded). */
  secure?: boolean;
}

/** Where SDKs read datafiles from (`mirror/datafiles/{key}.json` when deployed). */
export interface DatafileMirror {
  /** Make the mirror copy of `pointer.key` the pointer's bytes (a no-op when it already is). */
  publish(pointer: MirrorSource): Promise<void>;
  /** Delete the mirror copy of a key (it became secure); a no-op when there is none. */
  remove(key: string): Promise<void>;
}

export interface MirrorDeps {
  /** Absent = no mirror. */
  mirror?: DatafileMirror;
  /**
   * True for keys with an access token (secure environments): never mirrored. Without it, the
   * pointer's own `secure` flag decides, and a pointer without one is treated as secure.
   */
  secure?: (key: string) => boolean;
}

/**
 * Make the mirror follow the pointer: the pointer's bytes for an ordinary key, nothing for a secure
 * one (a key that gained a token loses its copy). Secure datafiles need a token to read at
 * Optimizely; a public copy would leak them, so the check happens on every publish, not once.
 */
export async function settleMirror(key: string, pointer: MirrorSource | undefined, deps: MirrorDeps): Promise<void> {
  if (!deps.mirror) return;
  // The caller's knowledge (the projects config) first; else what the pointer recorded when its
  // revision was stored; unknown means secure: a caller that cannot tell never publishes.
  const secure = deps.secure ? deps.secure(key) : pointer?.secure !== false;
  if (secure) return deps.mirror.remove(key);
  if (pointer) await deps.mirror.publish(pointer);
}

/**
 * For a sync that leaves the pointer where it is (a duplicate or unchanged delivery, a reconcile run,
 * a held or pinned revision): no settle runs then, so a key that gained an access token since its
 * pointer last moved would keep its public copy until its next move. One DeleteObject (a no-op when
 * there is no copy) for a key the caller knows is secure; nothing otherwise, nor when it cannot tell.
 */
export async function dropSecureCopy(key: string, deps: MirrorDeps): Promise<void> {
  if (deps.mirror && deps.secure?.(key)) await deps.mirror.remove(key);
}
