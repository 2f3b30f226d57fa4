import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ATTR, POINTER_SK, revisionSk } from '../layout';
import type { MoveReason, MoveSummary, Pointer, PointerMoved, StoredRevision } from '../sync/ports';
import type { Item } from './table';

/** Item ⇄ value conversions for the table layout described in lib/layout.ts. */

export function revisionItem(rev: StoredRevision): Item {
  const item: Item = {
    [ATTR.pk]: { S: rev.key },
    [ATTR.sk]: { S: revisionSk(rev.revision) },
    [ATTR.revision]: { N: String(rev.revision) },
    [ATTR.s3Key]: { S: rev.s3Key },
    [ATTR.sha256]: { S: rev.sha256 },
    [ATTR.size]: { N: String(rev.size) },
    [ATTR.projectId]: { S: rev.projectId },
    [ATTR.storedAt]: { S: rev.storedAt },
  };
  if (rev.environment !== undefined) item[ATTR.environment] = { S: rev.environment };
  if (rev.webhookTimestamp !== undefined) item[ATTR.webhookTimestamp] = { N: String(rev.webhookTimestamp) };
  if (rev.secure !== undefined) item[ATTR.secure] = { BOOL: rev.secure };
  if (rev.summary !== undefined) item[ATTR.changes] = { S: JSON.stringify(rev.summary) };
  if (rev.held) item[ATTR.held] = { BOOL: true };
  if (rev.violations !== undefined) item[ATTR.violations] = { S: JSON.stringify(rev.violations) };
  if (rev.holdEventId !== undefined) item[ATTR.holdEventId] = { S: rev.holdEventId };
  if (rev.holdUnsettled && rev.holdEventId !== undefined) item[ATTR.pendingHold] = { S: rev.holdEventId };
  return item;
}

/** The history-only attributes (diff, hold, approval) of a history item, for the revision read from it. */
function historyFields(item: Item): Partial<StoredRevision> {
  const out: Partial<StoredRevision> = {};
  const summary = json(item[ATTR.changes]?.S);
  if (summary !== undefined) out.summary = summary as StoredRevision['summary'];
  if (item[ATTR.held]?.BOOL === true) out.held = true;
  const violations = json(item[ATTR.violations]?.S);
  if (Array.isArray(violations)) out.violations = violations;
  const holdEventId = item[ATTR.holdEventId]?.S;
  if (holdEventId !== undefined) out.holdEventId = holdEventId;
  if (item[ATTR.pendingHold]?.S !== undefined) out.holdUnsettled = true;
  const approvedAt = item[ATTR.approvedAt]?.S;
  if (approvedAt !== undefined) out.approvedAt = approvedAt;
  return out;
}

/** Stored JSON text, parsed; undefined when absent or unreadable (a summary is a bonus, never a failure). */
function json(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function toRevision(item: Item): StoredRevision {
  return {
    key: s(item[ATTR.pk]),
    revision: n(item[ATTR.revision]),
    s3Key: s(item[ATTR.s3Key]),
    sha256: s(item[ATTR.sha256]),
    size: n(item[ATTR.size]),
    projectId: s(item[ATTR.projectId]),
    environment: item[ATTR.environment]?.S,
    webhookTimestamp: item[ATTR.webhookTimestamp]?.N === undefined ? undefined : Number(item[ATTR.webhookTimestamp]?.N),
    storedAt: item[ATTR.storedAt]?.S ?? '',
    secure: item[ATTR.secure]?.BOOL,
    ...(item[ATTR.sk]?.S === POINTER_SK ? {} : historyFields(item)),
  };
}

export function toPointer(item: Item): Pointer {
  const pending = item[ATTR.pendingEvent]?.S;
  const previous = item[ATTR.previousRevision]?.N;
  const held = item[ATTR.heldRevision]?.N;
  const moveSummary = json(item[ATTR.moveSummary]?.S) as MoveSummary | undefined;
  const owed = json(item[ATTR.owedEvents]?.S);
  return {
    ...toRevision(item),
    ...(Array.isArray(owed) && owed.length > 0 ? { owedEvents: owed as PointerMoved[] } : {}),
    ...(held === undefined ? {} : { heldRevision: Number(held) }),
    ...(moveSummary === undefined ? {} : { moveSummary }),
    updatedAt: s(item[ATTR.updatedAt]),
    pinned: item[ATTR.pinned]?.BOOL === true,
    eventId: item[ATTR.eventId]?.S ?? pending,
    unsettled: pending !== undefined,
    previousRevision: previous === undefined ? undefined : Number(previous),
    moveReason: item[ATTR.moveReason]?.S as MoveReason | undefined,
    fetched: item[ATTR.fetchUrl]?.S
      ? { url: item[ATTR.fetchUrl]?.S ?? '', etag: item[ATTR.fetchEtag]?.S, lastModified: item[ATTR.fetchLastModified]?.S }
      : undefined,
    pinReason: item[ATTR.pinReason]?.S,
  };
}

function s(v: AttributeValue | undefined): string {
  return v?.S ?? '';
}

function n(v: AttributeValue | undefined): number {
  return Number(v?.N ?? Number.NaN);
}

/** What a pointer move writes besides the revision's own attributes. */
export interface Move {
  updatedAt: string;
  pinned: boolean;
  eventId: string;
  reason: MoveReason;
  previousRevision?: number;
  pinReason?: string;
  /** False for a write that is not a move (a pin released in place): no new change event. */
  announce?: boolean;
  /** What the move changes, carried by its change event. */
  summary?: MoveSummary;
  /** The events of unsettled moves this one replaces (lib/sync/owed.ts): written with it, published before its own. */
  owed?: PointerMoved[];
}

/**
 * An Update of the pointer to `rev` (conditions are the caller's). Every move is born unsettled:
 * `pendingEvent` names its change event until the alias is copied and the event published, so a
 * crash in between is finished by whoever reads the pointer next (redelivery, reconcile).
 * `owedEvents` carries the events the replaced pointer still owed (none: removed), so they are
 * published by whoever settles this move. `:pinned` carries the new flag, so a caller's condition
 * may compare against it too.
 */
export function pointerUpdate(table: string, rev: StoredRevision, move: Move) {
  const item = revisionItem(rev);
  const owed = move.announce !== false && move.owed?.length ? move.owed : undefined;
  const values: Record<string, AttributeValue> = {
    ':revision': item[ATTR.revision] as AttributeValue,
    ':s3Key': item[ATTR.s3Key] as AttributeValue,
    ':sha256': item[ATTR.sha256] as AttributeValue,
    ':size': item[ATTR.size] as AttributeValue,
    ':projectId': item[ATTR.projectId] as AttributeValue,
    ':storedAt': item[ATTR.storedAt] as AttributeValue,
    ':updatedAt': { S: move.updatedAt },
    ':pinned': { BOOL: move.pinned },
    ':env': item[ATTR.environment] ?? { NULL: true },
    ':ts': item[ATTR.webhookTimestamp] ?? { NULL: true },
    ':secure': item[ATTR.secure] ?? { NULL: true },
    ':key': { S: rev.key },
    ':pinReason': move.pinReason === undefined ? { NULL: true } : { S: move.pinReason },
  };
  if (move.announce !== false) {
    values[':event'] = { S: move.eventId };
    values[':reason'] = { S: move.reason };
    values[':prev'] = move.previousRevision === undefined ? { NULL: true } : { N: String(move.previousRevision) };
    values[':moveSummary'] = move.summary === undefined ? { NULL: true } : { S: JSON.stringify(move.summary) };
    if (owed) values[':owed'] = { S: JSON.stringify(owed) };
  }
  const names: Record<string, string> = {};
  const sets = Object.entries({
    revision: ':revision',
    s3Key: ':s3Key',
    sha256: ':sha256',
    size: ':size',
    projectId: ':projectId',
    environment: ':env',
    webhookTimestamp: ':ts',
    storedAt: ':storedAt',
    updatedAt: ':updatedAt',
    pinned: ':pinned',
    pointerKey: ':key',
    secure: ':secure',
    pinReason: ':pinReason',
    ...(move.announce === false
      ? {}
      : { pendingEvent: ':event', eventId: ':event', moveReason: ':reason', previousRevision: ':prev', moveSummary: ':moveSummary' }),
    ...(owed ? { owedEvents: ':owed' } : {}),
  } satisfies Partial<Record<keyof typeof ATTR, string>>).map(([attr, value]) => {
    names[`#${attr}`] = ATTR[attr as keyof typeof ATTR];
    return `#${attr} = ${value}`;
  });
  // A move with nothing owed drops any list left on the item (an announced move only).
  const remove = move.announce !== false && !owed ? ' REMOVE #owedEvents' : '';
  if (remove) names['#owedEvents'] = ATTR.owedEvents;
  return {
    TableName: table,
    Key: { [ATTR.pk]: { S: rev.key }, [ATTR.sk]: { S: POINTER_SK } },
    UpdateExpression: `SET ${sets.join(', ')}${remove}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** The fields a move gives a pointer, from the move's own attributes. */
export function movedPointer(
  move: Move,
): Pick<Pointer, 'updatedAt' | 'pinned' | 'eventId' | 'unsettled' | 'moveReason' | 'pinReason' | 'moveSummary' | 'owedEvents'> {
  const moved = {
    updatedAt: move.updatedAt,
    pinned: move.pinned,
    eventId: move.eventId,
    unsettled: true,
    moveReason: move.reason,
    pinReason: move.pinReason,
    ...(move.owed?.length ? { owedEvents: move.owed } : {}),
  };
  return move.summary === undefined ? moved : { ...moved, moveSummary: move.summary };
}

/** Builds the attributes of a new move (the ledger's clock and event ids). */
export type MoveFactory = (reason: MoveReason, seen: Pointer | undefined, pinned: boolean, pinReason?: string) => Move;
