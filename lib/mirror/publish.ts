import { MAX_REVISION } from '../layout';

/**
 * The port the core uses to keep the SDK mirror equal to the pointer (S3Mirror implements it), and
 * the steps that do it: after the alias converged (settleMirror), and on a sync that leaves the
 * pointer where it is (dropSecureCopy).
 *
 * A key with a datafile access token (a secure environment) must never be reachable through the
 * mirror, whichever path runs. Who knows the projects config (webhook, reconcile, rollback) says so
 * with `secure`; who does not (the CLI) leaves history to decide, and history only ever errs towards
 * secure: see settleMirror.
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
  /** The revision the pointer moved from (absent: the key's first move). */
  previousRevision?: number;
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
   * True for keys with an access token in the projects config (secure environments): never
   * mirrored. Without it, what history recorded decides (settleMirror).
   */
  secure?: (key: string) => boolean;
}

/** What settleMirror reads of history when the caller cannot tell secure keys (the ledger). */
export interface MirrorHistory {
  getRevision(key: string, revision: number): Promise<Pick<MirrorSource, 'secure'> | undefined>;
  newestBelow(key: string, revision: number): Promise<Pick<MirrorSource, 'secure'> | undefined>;
}

/**
 * Make the mirror follow the pointer: the pointer's bytes for an ordinary key, nothing for a secure
 * one (a key that gained a token loses its copy). Secure datafiles need a token to read at
 * Optimizely; a public copy would leak them, so the check happens on every publish, not once.
 */
export async function settleMirror(
  key: string,
  pointer: MirrorSource | undefined,
  deps: MirrorDeps & { ledger?: MirrorHistory },
): Promise<void> {
  if (!deps.mirror) return;
  const open = deps.secure ? !deps.secure(key) : await recordedOpen(key, pointer, deps.ledger);
  if (!open) return deps.mirror.remove(key);
  if (pointer) await deps.mirror.publish(pointer);
}

/**
 * Without the projects config, a copy is published only when the revision going live, the one it
 * replaces and the newest stored revision were all recorded `secure: false`. The revision's own
 * flag is what the key was when it was stored, which may be before it got a token: once it has
 * one, the next revision stored records it, and a pin back past that revision must not publish.
 * Unrecorded (stored before the flag existed, or not found) counts as secure: this fails closed.
 */
async function recordedOpen(key: string, pointer: MirrorSource | undefined, history: MirrorHistory | undefined): Promise<boolean> {
  if (pointer?.secure !== false || !history) return false;
  const previous = pointer.previousRevision;
  const [replaced, newest] = await Promise.all([
    previous === undefined || previous === pointer.revision ? pointer : history.getRevision(key, previous),
    history.newestBelow(key, MAX_REVISION + 1),
  ]);
  return replaced?.secure === false && newest?.secure === false;
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
