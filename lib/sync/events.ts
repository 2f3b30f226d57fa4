import { describeError } from '../errors';
import type { Logger } from '../log';
import type { ChangePublisher, MoveReason, Pointer, PointerMoved } from './ports';

/** Announce a pointer move. Never throws: the datafile is already stored when this runs. */
export type Notify = (event: PointerMoved) => Promise<void>;

/** The change event for a pointer that just moved from `previous` (if any) to `pointer`. */
export function pointerMoved(pointer: Pointer, previous: number | undefined, reason: MoveReason): PointerMoved {
  const event: PointerMoved = {
    key: pointer.key,
    projectId: pointer.projectId,
    revision: pointer.revision,
    s3Key: pointer.s3Key,
    sha256: pointer.sha256,
    reason,
  };
  if (pointer.environment !== undefined) event.environment = pointer.environment;
  if (previous !== undefined) event.previousRevision = previous;
  return event;
}

export interface NotifyOptions {
  /** Attempts in total (first try included). */
  attempts?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Wrap a publisher so a failure is retried with exponential backoff and then logged, never thrown:
 * by the time a pointer moves the datafile is safely stored, and a missing event must not turn a
 * successful webhook into a failed one (Optimizely would redeliver, find a duplicate, and the event
 * would still be missing). No publisher → publishing is disabled.
 */
export function reliableNotify(publisher: ChangePublisher | undefined, logger: Logger, options: NotifyOptions = {}): Notify {
  if (!publisher) return async () => undefined;
  const attempts = options.attempts ?? 4;
  const base = options.baseDelayMs ?? 100;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return async (event) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await publisher.publish(event);
        return;
      } catch (error) {
        if (attempt >= attempts) {
          logger.error('change event not published', {
            key: event.key,
            revision: event.revision,
            reason: event.reason,
            attempts,
            error: describeError(error),
          });
          return;
        }
        await sleep(base * 2 ** (attempt - 1));
      }
    }
  };
}
