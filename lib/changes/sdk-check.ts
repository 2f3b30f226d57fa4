// The only module of lib/changes that imports the Optimizely SDK (it is heavy): import it directly,
// not through lib/changes/index.ts, where a bundle needs the check.
import { createInstance, createLogger, createStaticProjectConfigManager, ERROR } from '@optimizely/optimizely-sdk';

/** Whether the SDK accepts a datafile; `reason` is the SDK's own first error, e.g. `… datafile version: 5`. */
export type SdkVerdict = { ok: true } | { ok: false; reason: string };

/** The SDK's error messages name the problem, never the datafile's content; still, keep them short. */
const MAX_REASON = 200;

/**
 * Build a real Optimizely JS SDK client from the datafile and report whether it becomes ready.
 * Nothing is printed: the SDK logs only through the logger given here, which keeps its error lines
 * in memory so the first one can be the `reason`.
 *
 * A rejected client leaves the SDK's `onReady` timer pending until `timeoutMs` (the SDK skips its
 * cleanup once a client has failed): harmless in a Lambda, but a CLI should exit explicitly.
 *
 * @example
 * const verdict = await sdkAccepts(text);
 * if (!verdict.ok) hold(`The Optimizely SDK rejects the datafile: ${verdict.reason}`);
 */
export async function sdkAccepts(datafile: string, timeoutMs = 5000): Promise<SdkVerdict> {
  const errors: string[] = [];
  const logger = createLogger({ level: ERROR, logHandler: { log: (_level, message) => void errors.push(String(message)) } });
  let client: ReturnType<typeof createInstance>;
  try {
    client = createInstance({ projectConfigManager: createStaticProjectConfigManager({ datafile }), logger });
  } catch (e) {
    return { ok: false, reason: reasonOf(errors, e) };
  }
  try {
    await client.onReady({ timeout: timeoutMs });
  } catch (e) {
    // The SDK's close() of a client that failed to start never settles: fire and forget.
    client.close().catch(() => undefined);
    return { ok: false, reason: reasonOf(errors, e) };
  }
  await client.close();
  return { ok: true };
}

function reasonOf(errors: string[], thrown: unknown): string {
  const reason = errors[0] ?? (thrown instanceof Error ? thrown.message : String(thrown));
  return reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason;
}
