/**
 * Every fact about where things are stored, in one dependency-free module: S3 object keys,
 * DynamoDB item keys and attribute names, and the URL shapes datafiles are served at. The webhook,
 * reconcile, the reader, the CLI, the mirror and the deploy checks all import it; nothing else
 * spells a key shape out.
 *
 * S3 (one bucket):
 *   datafiles/{key}/revisions/{revision}-{sha256}.json   immutable, content-addressed revision object
 *   datafiles/{key}/revisions/{revision}.json            the same, as stored before content addressing
 *   datafiles/{key}/latest.json                          alias: a copy of the pointer's object
 *   mirror/datafiles/{key}.json                          SDK mirror copy (non-secure keys only)
 *
 * DynamoDB (one table, string `pk` / `sk`):
 *   pk = {key}, sk = POINTER                the current revision of the key (+ pinned, pending event)
 *   pk = {key}, sk = REV#{12 digits}        one history item per stored revision (immutable but for
 *                                           the hold's event mark and an operator's approval)
 *   pk = {key}, sk = ROLLBACK#{ISO time}    one log item per alarm rollback (from, to, alarm, event id)
 *   pk = #RECONCILE, sk = CURSOR            where the next reconcile run starts
 * Pointers also keep the validators (ETag / Last-Modified) of the last full fetch, so reconcile's
 * next fetch of an unchanged datafile is a bodiless 304.
 * Pointer items also carry `pointerKey` (= pk), the hash key of the sparse `pointers` index, so
 * listing every key reads one small item per key, not the whole history.
 */

/** A datafile key: an SDK key, or a project id for legacy `/json/{id}.json` datafiles. */
export const KEY_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** True for a string usable as a datafile key (webhook, reader, CLI and mirror all use this rule). */
export function isValidKey(key: unknown): key is string {
  return typeof key === 'string' && KEY_PATTERN.test(key);
}

/** Revisions are at most 12 digits: history items sort by a 12-digit zero-padded revision. */
export const MAX_REVISION = 999_999_999_999;

// ---- S3 ---------------------------------------------------------------------------------------

export const DATAFILES_PREFIX = 'datafiles/';
export const MIRROR_PREFIX = 'mirror/';

/**
 * The immutable object of one revision. The key names the bytes' sha256, so two different bodies
 * announced under one revision can never overwrite each other, whatever order their writes land in.
 */
export function revisionObjectKey(key: string, revision: number, sha256: string): string {
  return `${revisionsPrefix(key)}${revision}-${sha256}.json`;
}

/** Where revisions were stored before content addressing; pointers and history may still name it. */
export function legacyRevisionObjectKey(key: string, revision: number): string {
  return `${revisionsPrefix(key)}${revision}.json`;
}

/** The prefix every revision object of a key is stored under (list it to see them all). */
export function revisionsPrefix(key: string): string {
  return `${DATAFILES_PREFIX}${key}/revisions/`;
}

/** The `latest.json` alias: always a copy of the pointer's revision object. */
export function aliasObjectKey(key: string): string {
  return `${DATAFILES_PREFIX}${key}/latest.json`;
}

/**
 * The SDK mirror's copy of the pointer's bytes, at the path every Optimizely SDK asks its CDN for
 * (`/datafiles/{key}.json`) under the `mirror/` prefix that CloudFront's origin path points at.
 * Written for keys without an access token only: secure datafiles are never under this prefix.
 */
export function mirrorObjectKey(key: string): string {
  return `${MIRROR_PREFIX}datafiles/${key}.json`;
}

// ---- DynamoDB -----------------------------------------------------------------------------------

export const POINTER_SK = 'POINTER';
export const REVISION_SK_PREFIX = 'REV#';
export const ROLLBACK_SK_PREFIX = 'ROLLBACK#';
export const RECONCILE_PK = '#RECONCILE';
export const RECONCILE_CURSOR_SK = 'CURSOR';
/** The sparse global secondary index holding one entry per pointer (hash key `pointerKey`). */
export const POINTERS_INDEX = 'pointers';

/** The history item's sort key: zero-padded so a Query lists revisions in numeric order. */
export function revisionSk(revision: number): string {
  return `${REVISION_SK_PREFIX}${String(revision).padStart(12, '0')}`;
}

/** A rollback log item's sort key: the move's ISO time, so a Query lists rollbacks in time order. */
export function rollbackSk(at: string): string {
  return `${ROLLBACK_SK_PREFIX}${at}`;
}

/** Attribute names of pointer and history items (`pk`/`sk` are the table's key). */
export const ATTR = {
  pk: 'pk',
  sk: 'sk',
  pointerKey: 'pointerKey',
  revision: 'revision',
  s3Key: 's3Key',
  sha256: 'sha256',
  size: 'size',
  projectId: 'projectId',
  environment: 'environment',
  webhookTimestamp: 'webhookTimestamp',
  storedAt: 'storedAt',
  secure: 'secure',
  updatedAt: 'updatedAt',
  pinned: 'pinned',
  /** Why a pin holds the pointer (`pin`, `rollback: <alarm>`, …). */
  pinReason: 'pinReason',
  /** Id of the change event for the last move, present until that event is published. */
  pendingEvent: 'pendingEvent',
  /** Stable id of the last move's change event (kept after publishing). */
  eventId: 'eventId',
  previousRevision: 'previousRevision',
  moveReason: 'moveReason',
  /** The URL, ETag and Last-Modified of the last full fetch (conditional GETs). */
  fetchUrl: 'fetchUrl',
  fetchEtag: 'fetchEtag',
  fetchLastModified: 'fetchLastModified',
  /** The reconcile cursor: the key the last run started last. */
  cursorKey: 'cursorKey',
  /** Rollback log items: the alarm that caused the rollback. */
  alarmName: 'alarmName',
  /** History: the diff from the previous stored revision, as `summarize()` JSON (≤ 3 KB). */
  changes: 'changes',
  /** History: true when guardrails held the revision (the pointer did not move to it). */
  held: 'held',
  /** History: the broken guardrails of a held revision, as JSON `[{rule, message}]`. */
  violations: 'violations',
  /** History: stable id of the `Datafile Held` event; `pendingHold` names it until it is published. */
  holdEventId: 'holdEventId',
  pendingHold: 'pendingHold',
  /** History: when an operator approved the revision (`approve`), ISO time. */
  approvedAt: 'approvedAt',
  /** Pointer: the newest held revision (may be below the pointer once something newer went live). */
  heldRevision: 'heldRevision',
  /** Pointer: one line and counts of what the last move changed, JSON (carried by its change event). */
  moveSummary: 'moveSummary',
  /**
   * Pointer: the change events (JSON list, oldest first, at most 20) of earlier moves this unsettled
   * move replaced before they were settled; published before its own, cleared with `pendingEvent`.
   */
  owedEvents: 'owedEvents',
} as const;

// ---- URLs -------------------------------------------------------------------------------------

export interface DatafileBases {
  /** Optimizely's origin (fresher than the CDN), default https://optimizely.s3.amazonaws.com */
  origin: string;
  /** Optimizely's CDN, default https://cdn.optimizely.com */
  cdn: string;
  /** Authenticated datafiles of secure environments, default https://config.optimizely.com */
  auth: string;
}

export const DEFAULT_DATAFILE_BASES: DatafileBases = {
  origin: 'https://optimizely.s3.amazonaws.com',
  cdn: 'https://cdn.optimizely.com',
  auth: 'https://config.optimizely.com',
};

/** The directory of {@link datafilePath}: every path under it is a datafile request. */
export const DATAFILE_PATH_PREFIX = '/datafiles/';

/** The path every SDK requests a datafile at (Optimizely's CDN, and our mirror). */
export function datafilePath(key: string): string {
  return `${DATAFILE_PATH_PREFIX}${key}.json`;
}

/**
 * The key a path of exactly {@link datafilePath}'s shape names: `/datafiles/{key}.json`, with no
 * `auth/`, no legacy `/json/` and no prefix (the mirror's rule). Undefined for any other path or an
 * invalid key.
 */
export function keyFromDatafilePath(path: string): string | undefined {
  const key = /^\/datafiles\/([^/]+)\.json$/.exec(path)?.[1];
  return isValidKey(key) ? key : undefined;
}

/**
 * The URLs Optimizely serves a key's datafile at: a numeric (legacy) key → `/json/{id}.json`; a key
 * with an access token (secure environment) → the authenticated `/datafiles/auth/{key}.json` only;
 * otherwise origin first (fresher), then CDN.
 */
export function datafileUrls(key: string, bases: DatafileBases, secure: boolean): string[] {
  if (/^\d+$/.test(key)) return [`${bases.origin}/json/${key}.json`, `${bases.cdn}/json/${key}.json`];
  if (secure) return [`${bases.auth}/datafiles/auth/${key}.json`];
  return [`${bases.origin}${datafilePath(key)}`, `${bases.cdn}${datafilePath(key)}`];
}

/**
 * The datafile key from a datafile URL's path: `/datafiles/{sdkKey}.json`,
 * `/datafiles/auth/{sdkKey}.json` (secure environments) or legacy `/json/{projectId}.json`.
 * A path prefix is tolerated (mirrors and proxies put one in front); the tail decides.
 * Returns undefined for any other shape.
 */
export function keyFromUrl(raw: string): string | undefined {
  let path: string;
  try {
    path = new URL(raw).pathname;
  } catch {
    return undefined;
  }
  return keyFromPath(path);
}

/** As {@link keyFromUrl}, from a path alone. */
export function keyFromPath(path: string): string | undefined {
  const modern = /\/datafiles\/(?:auth\/)?([^/]+)\.json$/.exec(path)?.[1];
  const legacy = /\/json\/(\d+)\.json$/.exec(path)?.[1];
  const key = modern ?? legacy;
  return isValidKey(key) ? key : undefined;
}

/** True when a URL path is a legacy `/json/{projectId}.json` datafile path. */
export function isLegacyPath(path: string): boolean {
  return /\/json\/\d+\.json$/.test(path);
}
