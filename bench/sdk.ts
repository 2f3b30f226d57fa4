import { createInstance, createPollingProjectConfigManager, NOTIFICATION_TYPES } from '@optimizely/optimizely-sdk';

/** A real Optimizely SDK polling a datafile URL template, and the newest revision it has taken up. */
export interface PollingSdk {
  /** The revision of the SDK's current config (0 until the first one). */
  revision(): number;
  /** `performance.now()` when the SDK last took up a new config. */
  seenAt(): number;
  close(): Promise<unknown>;
}

/** Start the SDK's own polling manager against `urlTemplate` and wait until it is ready. */
export async function startPollingSdk(sdkKey: string, urlTemplate: string, updateInterval: number): Promise<PollingSdk> {
  const sdk = createInstance({
    projectConfigManager: createPollingProjectConfigManager({ sdkKey, updateInterval, urlTemplate }),
    logger: undefined,
  });
  let revision = 0;
  let seenAt = 0;
  sdk.notificationCenter.addNotificationListener(NOTIFICATION_TYPES.OPTIMIZELY_CONFIG_UPDATE, () => {
    revision = Number(sdk.getOptimizelyConfig()?.revision);
    seenAt = performance.now();
  });
  await sdk.onReady({ timeout: 10_000 });
  return { revision: () => revision, seenAt: () => seenAt, close: () => sdk.close() };
}
