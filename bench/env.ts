import { randomUUID } from 'node:crypto';
import { createServer, type Server, Socket } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { type ClientOptions, dynamoClient as factoryDynamo, s3Client as factoryS3 } from '../lib/aws/clients';
import type { Logger } from '../lib/log';
import { ensureBucket, ensureTable } from '../local/provision';
import { type LocalStores, startLocalStores } from '../local/stores';
import { makeDatafile } from '../test/support/datafiles';

/** The local stores the whole run shares, plus clients and a fresh table/bucket per scenario. */
export interface BenchEnv {
  stores: LocalStores;
  clients(endpoints?: { dynamo?: string; s3?: string }): { dynamo: DynamoDBClient; s3: S3Client };
  /** A new table + bucket (so scenarios never see each other's data). */
  fresh(): Promise<{ table: string; bucket: string }>;
  stop(): Promise<void>;
}

/**
 * The project's client factory pointed at the bench's local stores, with fixed credentials (never a
 * developer's profile) and slack on the timeouts: a busy machine must not turn a slow trial into retries.
 */
function local(endpoint: string): ClientOptions {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestTimeoutMs: 60_000,
    connectionTimeoutMs: 10_000,
  };
}

export function dynamoClient(endpoint: string): DynamoDBClient {
  return factoryDynamo(local(endpoint));
}

export function s3Client(endpoint: string): S3Client {
  return factoryS3(local(endpoint));
}

export async function startBenchEnv(): Promise<BenchEnv> {
  const stores = await startLocalStores();
  const shared = { dynamo: dynamoClient(stores.dynamoEndpoint), s3: s3Client(stores.s3Endpoint) };
  return {
    stores,
    clients: (endpoints) => ({
      dynamo: dynamoClient(endpoints?.dynamo ?? stores.dynamoEndpoint),
      s3: s3Client(endpoints?.s3 ?? stores.s3Endpoint),
    }),
    fresh: async () => {
      const id = randomUUID().slice(0, 8);
      const names = { table: `bench-${id}`, bucket: `bench-${id}` };
      await ensureTable(shared.dynamo, names.table);
      await ensureBucket(shared.s3, names.bucket);
      return names;
    },
    stop: async () => {
      shared.dynamo.destroy();
      shared.s3.destroy();
      await stores.stop();
    },
  };
}

/** A valid v4 datafile of exactly `bytes` bytes (padded with one extra attribute). */
export function datafileOfSize(revision: number, bytes: number): string {
  const overhead = ',"padding":""'.length;
  const text = makeDatafile({ revision, padTo: bytes - overhead });
  if (Buffer.byteLength(text) !== bytes) throw new Error(`datafile is ${Buffer.byteLength(text)} bytes, wanted ${bytes}`);
  return text;
}

/** Counts client requests by command name (an initialize-step middleware on the client). */
export function countCommands(client: DynamoDBClient | S3Client): Map<string, number> {
  const counts = new Map<string, number>();
  // The two clients' middleware stacks have different generic parameters; the middleware only reads
  // the command name from the context, so one untyped registration serves both.
  (client.middlewareStack as { add(mw: unknown, opts: unknown): void }).add(
    (next: (a: unknown) => unknown, context: { commandName?: string }) => (args: unknown) => {
      const name = context.commandName ?? '?';
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: `benchCounter-${randomUUID()}` },
  );
  return counts;
}

/** Count and total time (ms, summed) per command name, across one or more clients. */
export function timeCommands(...clients: (DynamoDBClient | S3Client)[]): Map<string, { count: number; ms: number }> {
  const stats = new Map<string, { count: number; ms: number }>();
  for (const client of clients) {
    (client.middlewareStack as { add(mw: unknown, opts: unknown): void }).add(
      (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        const started = performance.now();
        try {
          return await next(args);
        } finally {
          const name = (context.commandName ?? '?').replace(/Command$/, '');
          const entry = stats.get(name) ?? { count: 0, ms: 0 };
          entry.count++;
          entry.ms += performance.now() - started;
          stats.set(name, entry);
        }
      },
      { step: 'initialize', name: `benchTimer-${randomUUID()}` },
    );
  }
  return stats;
}

/** A TCP relay to `target` that counts the bytes crossing it each way (wire bytes, headers included). */
export interface CountingProxy {
  url: string;
  bytesToServer: number;
  bytesToClient: number;
  connections: number;
  reset(): void;
  close(): Promise<void>;
}

export async function countingProxy(targetPort: number): Promise<CountingProxy> {
  const sockets = new Set<Socket>();
  const proxy: CountingProxy = {
    url: '',
    bytesToServer: 0,
    bytesToClient: 0,
    connections: 0,
    reset() {
      proxy.bytesToServer = 0;
      proxy.bytesToClient = 0;
      proxy.connections = 0;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((client) => {
    proxy.connections++;
    const upstream = new Socket();
    upstream.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (c: Buffer) => {
      proxy.bytesToServer += c.length;
    });
    upstream.on('data', (c: Buffer) => {
      proxy.bytesToClient += c.length;
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  proxy.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return proxy;
}

/** A logger that keeps quiet but remembers errors (a benchmark that hides failures is worthless). */
export function quietLogger(errors: unknown[] = []): Logger {
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (m, f) => errors.push({ m, ...f }),
    child: () => logger,
  };
  return logger;
}

export function portOf(url: string): number {
  return Number(new URL(url).port);
}
