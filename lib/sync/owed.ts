import type { Logger } from '../log';
import { pointerMoved } from './events';
import type { Pointer, PointerMoved } from './ports';

/**
 * How many superseded moves' events a pointer carries at most (the newest). An event is well under
 * 2 KB (a summary is one line and counts), so the list stays far below DynamoDB's 400 KB item limit.
 * Reaching it takes that many moves in a row whose events could not be published.
 */
export const MAX_OWED_EVENTS = 20;

/**
 * The events a move from `seen` still owes, oldest first: those `seen` carried, plus the event of
 * `seen`'s own move while it is unsettled. A move replaces the pointer's `pendingEvent`, so without
 * this an unsettled move that is overtaken (its mover crashed, or its publish failed) would never be
 * announced. `seen` must be the pointer the move is conditioned on, so the list is exactly what it
 * replaces. Beyond {@link MAX_OWED_EVENTS} the oldest are dropped, with a warning.
 */
export function owedAfter(seen: Pointer | undefined, logger?: Pick<Logger, 'warn'>): PointerMoved[] {
  if (!seen?.unsettled) return [];
  const owed = [...(seen.owedEvents ?? []), pointerMoved(seen)];
  if (owed.length <= MAX_OWED_EVENTS) return owed;
  const dropped = owed.slice(0, owed.length - MAX_OWED_EVENTS);
  logger?.warn('owed change events dropped', {
    key: seen.key,
    max: MAX_OWED_EVENTS,
    eventIds: dropped.map((e) => e.eventId),
    revisions: dropped.map((e) => e.revision),
  });
  return owed.slice(-MAX_OWED_EVENTS);
}
