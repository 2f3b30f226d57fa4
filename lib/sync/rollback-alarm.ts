import type { Pointer } from './ports';

/**
 * The EventBridge event CloudWatch sends when an alarm changes state (source `aws.cloudwatch`,
 * detail-type `CloudWatch Alarm State Change`). Only the fields the rollback reads; everything is
 * optional because the function must tolerate (and ignore) any other event it is handed.
 */
export interface AlarmStateChangeEvent {
  source?: string;
  'detail-type'?: string;
  /** When EventBridge received the event (ISO 8601). */
  time?: string;
  detail?: {
    alarmName?: string;
    state?: { value?: string; reason?: string; timestamp?: string };
    previousState?: { value?: string; timestamp?: string };
  };
}

export interface RollbackPolicy {
  /** Alarms whose transition to ALARM rolls back recent moves (`ROLLBACK_ALARM_NAMES`). */
  alarmNames: readonly string[];
  /** How long after a move it is still blamed for an alarm (`ROLLBACK_BAKE_SECONDS`, default 600 s). */
  bakeMs: number;
}

export type AlarmDecision = { act: true; alarmName: string; at: Date } | { act: false; why: string; alarmName?: string };

/**
 * Whether an event asks for a rollback: a CloudWatch alarm, in the configured list, entering ALARM.
 * `at` is the state change's own timestamp (falling back to the event's time), so a redelivery or a
 * retry hours later judges the same moves as the first delivery did.
 */
export function decide(event: AlarmStateChangeEvent, policy: RollbackPolicy): AlarmDecision {
  if (event.source !== 'aws.cloudwatch' || event['detail-type'] !== 'CloudWatch Alarm State Change') {
    return { act: false, why: 'not a CloudWatch alarm state change' };
  }
  const alarmName = event.detail?.alarmName;
  if (!alarmName) return { act: false, why: 'no alarm name' };
  if (!policy.alarmNames.includes(alarmName)) return { act: false, why: 'alarm not configured for rollback', alarmName };
  const state = event.detail?.state?.value;
  if (state !== 'ALARM') return { act: false, why: `state is ${state ?? 'missing'}, not ALARM`, alarmName };
  const at = new Date(event.detail?.state?.timestamp ?? event.time ?? Number.NaN);
  if (Number.isNaN(at.getTime())) return { act: false, why: 'no valid state timestamp', alarmName };
  return { act: true, alarmName, at };
}

/**
 * Whether an alarm at `at` blames the pointer's last move: it moved (revision changed) within the
 * bake time before the alarm, and no pin holds it. A pinned pointer is someone's deliberate choice
 * (an operator's pin, or this rollback already done): it is never overridden, which is also what
 * makes a redelivered alarm event a no-op. A pin released in place (`unpin` when the pointer was
 * already on the newest revision) rewrote `updatedAt` without moving anything: not a move.
 */
export function blames(pointer: Pointer, at: Date, bakeMs: number): boolean {
  if (pointer.pinned) return false;
  if (pointer.moveReason === 'pin') return false;
  const moved = Date.parse(pointer.updatedAt);
  return moved <= at.getTime() && moved >= at.getTime() - bakeMs;
}
