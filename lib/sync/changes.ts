import { createHash } from 'node:crypto';
import { checkGuardrails, type DatafileDiff, type DiffSummary, diffDatafiles, type Guardrails, summarize } from '../changes';
import { describeError } from '../errors';
import type { Logger } from '../log';
import type { DatafileCache } from './datafile-cache';
import { moveSummaryOf } from './events';
import type { DatafileStore, Pointer, RevisionLedger, StoredRevision, Verdict } from './ports';

/** `sdkAccepts` from lib/changes/sdk-check.ts, injected by the composition root (it imports the SDK). */
export type SdkCheck = (datafile: string) => Promise<{ ok: true } | { ok: false; reason: string }>;

/** What a sync checks a new revision against before it may go live. */
export interface ChangeCheck {
  /** The project's guardrails (projects JSON); `{}` = none. */
  guardrails: Guardrails;
  /** The always-on check that a real SDK accepts the datafile; absent = skipped. */
  sdk?: SdkCheck;
  /** The last stored datafile per key (webhook container memory). */
  cache?: DatafileCache;
}

export interface ChangeDeps {
  ledger: RevisionLedger;
  store: DatafileStore;
  logger?: Logger;
}

export interface PreparedChanges {
  /** The diff from the previous stored revision, summarised for the history item (absent on failure). */
  summary?: DiffSummary;
  /** Judges a move from a given live pointer: guardrail violations, and what the move changes. */
  guard(seen: Pointer | undefined): Promise<Verdict>;
}

type Ref = Pick<StoredRevision, 'revision' | 'sha256' | 's3Key'>;

/**
 * Diff a new revision against what came before it, and build the guard that decides whether it may
 * go live. Two bases, usually the same revision: the stored diff is from the previous *stored*
 * revision (what history shows); guardrails judge the move from the *live* pointer, what users would
 * actually move from — so a clean-looking revision after a held one carries the held change with it
 * and is held too. Nothing here fails storage: a diff that cannot be made is logged and left out
 * (and the guard holds the revision if a guardrail needs that diff, unless its base was unreadable).
 */
export async function prepareChanges(
  rev: StoredRevision,
  datafile: { bytes: Buffer; text?: string; document?: unknown },
  seen: Pointer | undefined,
  check: ChangeCheck | undefined,
  deps: ChangeDeps,
): Promise<PreparedChanges> {
  const { bytes } = datafile;
  const text = datafile.text ?? bytes.toString('utf8');
  // The SDK builds its own objects from the text (it annotates what it is given), so it starts now,
  // alongside the diff and the caller's S3 write, and is awaited only when the guard needs it.
  const sdk = check?.sdk?.(text).catch((e: unknown) => ({ ok: false as const, reason: e instanceof Error ? e.message : String(e) }));
  const next: unknown = datafile.document ?? JSON.parse(text);
  const cache = check?.cache;
  // Undefined when the base's bytes could not be read; `error` when diffing them threw.
  type Outcome = DatafileDiff | { error: string } | undefined;
  const diffAgainst = (base: Ref | undefined, previous: unknown): Outcome => {
    try {
      return diffDatafiles(previous, next);
    } catch (error) {
      deps.logger?.warn('diff failed', { key: rev.key, revision: rev.revision, base: base?.revision, error: describeError(error) });
      return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  };
  // One diff per base, shared by the stored summary and the guard (usually the same base). Revisions
  // start at 1, so 0 stands for "no previous revision" (the key's first).
  const diffs = new Map<number, Promise<Outcome>>();
  const diffFrom = (base: Ref | undefined): Promise<Outcome> => {
    const id = base?.revision ?? 0;
    let diff = diffs.get(id);
    if (!diff) {
      diff = !base
        ? Promise.resolve(diffAgainst(undefined, undefined))
        : readDoc(rev.key, base, deps.store, cache).then(
            (previous) => diffAgainst(base, previous),
            (error: unknown) => {
              deps.logger?.warn('diff failed', { key: rev.key, revision: rev.revision, base: base.revision, error: describeError(error) });
              return undefined;
            },
          );
      diffs.set(id, diff);
    }
    return diff;
  };

  let summary: DiffSummary | undefined;
  try {
    const diff = await diffFrom(await previousStored(rev, seen, deps.ledger));
    summary = diff && !('error' in diff) ? summarize(diff) : undefined;
  } catch (error) {
    deps.logger?.warn('diff failed', { key: rev.key, revision: rev.revision, error: describeError(error) });
  }
  cache?.remember(rev.key, { revision: rev.revision, sha256: rev.sha256, bytes });

  const guard = async (live: Pointer | undefined): Promise<Verdict> => {
    const diff = await diffFrom(live);
    // A check that throws (it should not) counts as a rejection: what the SDK chokes on must not go live.
    // So does a diff that throws: the guardrails that need it hold the revision (`diffFailed`). A live
    // revision whose bytes cannot be read is different: it leaves only the checks that need no diff
    // (required flags, size, SDK), because an S3 hiccup must not stop every release; it is logged above.
    const violations = checkGuardrails({
      guardrails: check?.guardrails ?? {},
      bytes: bytes.length,
      next,
      diff: diff ?? { initial: true, revisions: {}, changes: [] },
      sdk: await sdk,
    });
    return diff && !('error' in diff) ? { violations, summary: moveSummaryOf(summarize(diff)) } : { violations };
  };
  return { summary, guard };
}

/**
 * The newest stored revision below `rev`. In order (the usual case) that is the live pointer, already
 * read: no request. Otherwise (pinned, out of order, or a held revision above the pointer, which the
 * pointer notes in `heldRevision`) one Query finds it.
 */
async function previousStored(rev: StoredRevision, seen: Pointer | undefined, ledger: RevisionLedger): Promise<Ref | undefined> {
  const heldAbove = seen?.heldRevision !== undefined && seen.heldRevision > seen.revision;
  if (seen && !seen.pinned && seen.revision < rev.revision && !heldAbove) return seen;
  return ledger.newestBelow(rev.key, rev.revision);
}

/** A stored revision's datafile, parsed: from the cache, else its object with the sha256 checked. */
async function readDoc(key: string, ref: Ref, store: DatafileStore, cache: DatafileCache | undefined): Promise<unknown> {
  let bytes = cache?.get(key, ref.revision, ref.sha256);
  if (!bytes) {
    bytes = await store.readObject(ref.s3Key);
    if (!bytes) throw new Error(`${ref.s3Key} is missing`);
    if (createHash('sha256').update(bytes).digest('hex') !== ref.sha256) throw new Error(`${ref.s3Key} does not hold its recorded bytes`);
  }
  return JSON.parse(bytes.toString('utf8'));
}
