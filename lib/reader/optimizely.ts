import { type Client, type Config, createInstance, createStaticProjectConfigManager } from '@optimizely/optimizely-sdk';
import { type DatafileReader, type DatafileResult, DatafileSyncError, type ReaderLogger } from './index';
import { consoleLogger, describe } from './log';

/**
 * The datafile was refused by the Optimizely SDK and there is no working client to keep serving.
 *
 * @example
 * provider.getClient().catch((e) => e instanceof DatafileRejectedError && e.code === 'datafile_rejected');
 */
export class DatafileRejectedError extends DatafileSyncError {
  override readonly name = 'DatafileRejectedError';
  constructor(
    readonly key: string,
    readonly revision: number,
    options?: { cause?: unknown },
  ) {
    super('datafile_rejected', `The Optimizely SDK rejected revision ${revision} of ${key}.`, options);
  }
}

/**
 * Options of {@link createOptimizelyClientProvider}.
 *
 * @example
 * const options: OptimizelyClientProviderOptions = { reader, key: 'sdk_key', readyTimeoutMs: 2_000 };
 */
export interface OptimizelyClientProviderOptions {
  reader: DatafileReader;
  key: string;
  /** Everything `createInstance` takes except the config manager (event processor, logger, …). */
  clientOptions?: Omit<Config, 'projectConfigManager'>;
  /** How long a new client may take to become ready from its datafile. Default 5000. */
  readyTimeoutMs?: number;
  logger?: ReaderLogger;
}

/**
 * Hands out one Optimizely client per datafile revision.
 *
 * @example
 * const optimizely = await provider.getClient();
 * const decision = optimizely.createUserContext('user-1')?.decide('new_checkout');
 */
export interface OptimizelyClientProvider {
  /** The client for the current datafile: the same object until the revision changes. */
  getClient(): Promise<Client>;
  /** Closes the current client (the reader stays open: it is the caller's). */
  close(): Promise<void>;
}

interface Built {
  client: Client;
  sha256: string;
  /** Order in which builds started: a slow older build never replaces a newer client. */
  generation: number;
}

/**
 * Creates an {@link OptimizelyClientProvider} on top of a {@link DatafileReader}. When the reader
 * serves a new revision, a new client is built from it (`createStaticProjectConfigManager`), awaited
 * until ready, swapped in, and the old one closed. A datafile the SDK rejects never replaces a
 * working client (and is not retried until the revision changes again).
 *
 * @example
 * import { createDatafileReader } from 'optimizely-datafile-sync/reader';
 * import { createOptimizelyClientProvider } from 'optimizely-datafile-sync/optimizely';
 * const reader = createDatafileReader({ table: 'datafiles', bucket: 'my-datafiles' });
 * const provider = createOptimizelyClientProvider({ reader, key: 'sdk_key' });
 * export const handler = async (event: { userId: string }) => {
 *   const client = await provider.getClient();
 *   return client.createUserContext(event.userId)?.decide('new_checkout').enabled;
 * };
 */
export function createOptimizelyClientProvider(options: OptimizelyClientProviderOptions): OptimizelyClientProvider {
  const { reader, key } = options;
  const log = options.logger ?? consoleLogger;
  let current: Built | undefined;
  let building: { sha256: string; promise: Promise<Client> } | undefined;
  const rejected = new Set<string>();
  let closed = false;
  let generations = 0;

  async function build(result: DatafileResult): Promise<Client> {
    const generation = ++generations;
    const client = createInstance({
      ...options.clientOptions,
      projectConfigManager: createStaticProjectConfigManager({ datafile: result.datafile }),
    });
    try {
      await client.onReady({ timeout: options.readyTimeoutMs ?? 5000 });
    } catch (e) {
      // The SDK's close() of a client that failed to start never settles: fire and forget.
      release(client);
      return reject(result, e);
    }
    const previous = current;
    if (closed || (previous && previous.generation > generation)) {
      release(client);
      if (previous) return previous.client;
      throw closedError();
    }
    current = { client, sha256: result.sha256, generation };
    log({ level: 'info', message: 'optimizely client ready', key, revision: result.revision });
    // Not awaited: closing flushes the old client's events, which must not delay this caller.
    if (previous) release(previous.client);
    return client;
  }

  function release(client: Client): void {
    client.close().catch((e: unknown) => log({ level: 'warn', message: 'closing an Optimizely client failed', key, ...describe(e) }));
  }

  function reject(result: DatafileResult, cause: unknown): Client {
    rejected.add(result.sha256);
    const error = new DatafileRejectedError(key, result.revision, { cause });
    log({
      level: current ? 'warn' : 'error',
      message: 'datafile rejected by the Optimizely SDK',
      key,
      revision: result.revision,
      ...describe(error),
    });
    if (current) return current.client;
    throw error;
  }

  function closedError(): DatafileSyncError {
    return new DatafileSyncError('provider_closed', 'The Optimizely client provider is closed.');
  }

  return {
    async getClient() {
      if (closed) throw closedError();
      const result = await reader.get(key);
      if (current && (current.sha256 === result.sha256 || rejected.has(result.sha256))) return current.client;
      if (rejected.has(result.sha256)) throw new DatafileRejectedError(key, result.revision);
      if (building?.sha256 !== result.sha256) {
        const promise = build(result).finally(() => {
          if (building?.promise === promise) building = undefined;
        });
        building = { sha256: result.sha256, promise };
      }
      return building.promise;
    },
    async close() {
      closed = true;
      const last = current;
      current = undefined;
      await last?.client.close();
    },
  };
}
