import { type BackoffPolicy, backoffDelay, sleep as realSleep, type Sleep } from '../backoff';
import { oneLine } from '../changes';
import { describeError } from '../errors';
import type { Logger } from '../log';
import type { ChangeEvent, ChangePublisher, DatafileHeld, MoveSummary, Pointer, PointerMoved, StoredRevision } from './ports';

/** Announce a change event. Resolves true when published (or publishing is off), false when it gave up. */
export type Notify = (event: ChangeEvent) => Promise<boolean>;

/** The change event of a pointer's last move, rebuilt from the pointer item (same id every time). */
export function pointerMoved(pointer: Pointer): PointerMoved {
  const event: PointerMoved = {
    eventId: pointer.eventId ?? `${pointer.key}:${pointer.revision}:${pointer.updatedAt}`,
    key: pointer.key,
    projectId: pointer.projectId,
    revision: pointer.revision,
    s3Key: pointer.s3Key,
    sha256: pointer.sha256,
    reason: pointer.moveReason ?? 'webhook',
    movedAt: pointer.updatedAt,
  };
  if (pointer.environment !== undefined) event.environment = pointer.environment;
  if (pointer.previousRevision !== undefined) event.previousRevision = pointer.previousRevision;
  if (event.reason === 'rollback' && pointer.pinReason !== undefined) {
    event.pinReason = pointer.pinReason;
    event.alarmName = alarmOf(pointer.pinReason);
  }
  if (pointer.moveSummary !== undefined) event.summary = pointer.moveSummary;
  return event;
}

/** Rollback pins hold the pointer with this reason prefix, followed by the alarm's name. */
export const ROLLBACK_PIN_PREFIX = 'rollback: ';

export function rollbackPinReason(alarmName: string): string {
  return `${ROLLBACK_PIN_PREFIX}${alarmName}`;
}

/** The alarm named by a rollback pin's reason; undefined for any other pin. */
export function alarmOf(pinReason: string | undefined): string | undefined {
  return pinReason?.startsWith(ROLLBACK_PIN_PREFIX) ? pinReason.slice(ROLLBACK_PIN_PREFIX.length) : undefined;
}

/** The `Datafile Held` event of a held revision, rebuilt from its history item (same id every time). */
export function datafileHeld(rev: StoredRevision): DatafileHeld {
  const event: DatafileHeld = {
    eventId: rev.holdEventId ?? `${rev.key}:${rev.revision}:held`,
    key: rev.key,
    projectId: rev.projectId,
    revision: rev.revision,
    s3Key: rev.s3Key,
    sha256: rev.sha256,
    violations: rev.violations ?? [],
    heldAt: rev.storedAt,
  };
  if (rev.environment !== undefined) event.environment = rev.environment;
  if (rev.summary !== undefined) event.summary = moveSummaryOf(rev.summary);
  return event;
}

/** What an event carries of a diff summary: the line and the counts. */
export function moveSummaryOf(summary: NonNullable<StoredRevision['summary']>): MoveSummary {
  return { line: oneLine(summary), total: summary.total, counts: summary.counts };
}

export interface NotifyOptions {
  /** Attempts in total (first try included). */
  attempts?: number;
  backoff?: BackoffPolicy;
  sleep?: Sleep;
}

/**
 * Wrap a publisher so a failure is retried with backoff and then logged, never thrown: by the time a
 * pointer moves the datafile is safely stored, and a missing event must not fail the webhook. The
 * move stays marked unsettled until its event is out, so the next redelivery or reconcile run
 * publishes it again (at least once; consumers de-duplicate on `eventId`).
 * No publisher → publishing is disabled and every move counts as announced.
 */
export function reliableNotify(publisher: ChangePublisher | undefined, logger: Logger, options: NotifyOptions = {}): Notify {
  if (!publisher) return async () => true;
  const attempts = options.attempts ?? 4;
  const backoff = options.backoff ?? { baseMs: 100, maxMs: 2_000 };
  const sleep = options.sleep ?? realSleep;
  return async (event) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await publisher.publish(event);
        return true;
      } catch (error) {
        if (attempt >= attempts) {
          logger.error('change event not published', {
            key: event.key,
            revision: event.revision,
            eventId: event.eventId,
            reason: 'reason' in event ? event.reason : 'held',
            attempts,
            error: describeError(error),
          });
          return false;
        }
        await sleep(backoffDelay(attempt - 1, backoff));
      }
    }
  };
}
