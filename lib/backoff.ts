/**
 * The one retry delay of the project: exponential backoff with full jitter (a random delay between
 * 0 and min(max, base · 2^attempt)), as AWS's architecture blog recommends for contended retries.
 * Used by the datafile fetch, change-event publishing, DynamoDB contention and alias convergence;
 * each passes its own base and cap.
 *
 * @example
 * await sleep(backoffDelay(attempt, { baseMs: 100, maxMs: 2_000 }));
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** Delay before retry number `attempt` (0 = the first retry). */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return random() * ceiling;
}

export type Sleep = (ms: number) => Promise<void>;

export const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
