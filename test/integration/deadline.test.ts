import { createServer, type Server, type Socket } from 'node:net';
import { body, type LocalOrigin, startOrigin } from '../../local/origin';
import { makeDatafile } from '../support/datafiles';
import { coldStartWebhook, restoreEnvironment, type WebhookHandler, webhookEnvironment } from '../support/lambda';
import { freshStores, type TestStores } from '../support/stores';
import { httpApiEvent, payload } from '../support/webhooks';

/**
 * A store that accepts connections and never answers: the worst an overloaded or half-dead endpoint
 * does. The function's own timeout is 28 s and API Gateway gives up at 29 s, so the answer must come
 * well before: a clean 503 the sender can redeliver, not a bare 5xx from the platform.
 */
async function stalledServer(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

let stores: TestStores;
let origin: LocalOrigin;
let stalled: Awaited<ReturnType<typeof stalledServer>>;

beforeEach(async () => {
  stores = await freshStores();
  origin = await startOrigin();
  stalled = await stalledServer();
  origin.serve('/datafiles/sdk_key.json', body(makeDatafile({ revision: 4 })));
});
afterEach(async () => {
  restoreEnvironment();
  await Promise.all([origin.close(), stalled.close()]);
});

/** functions/webhook.ts as a new container loads it: production defaults, configured by env only. */
function coldStart(env: Record<string, string>): WebhookHandler {
  return coldStartWebhook({ ...webhookEnvironment(stores, origin), ...env });
}

async function deliverTimed(handler: WebhookHandler): Promise<{ statusCode: number; error?: string; ms: number }> {
  const started = Date.now();
  const res = await handler(httpApiEvent(payload({ revision: 4, origin: origin.url })));
  return { statusCode: res.statusCode, error: (JSON.parse(res.body) as { error?: string }).error, ms: Date.now() - started };
}

describe('a stalled store', () => {
  it('with every production default, S3 that never answers gets a clean 503 well inside the 28 s function timeout', async () => {
    // Arrange: DynamoDB works; S3 accepts connections and never answers.
    const handler = coldStart({ AWS_ENDPOINT_URL_S3: stalled.endpoint });

    // Act
    const answer = await deliverTimed(handler);

    // Assert: the client's request timeout and attempt cap end it (3 × 5 s), before the webhook's
    // own 25 s deadline would, and long before the platform would.
    expect(answer.statusCode).toBe(503);
    expect(answer.error).toBe('storage_unavailable');
    expect(answer.ms).toBeLessThan(27_000);
  }, 40_000);

  it('with every production default, DynamoDB that never answers gets a clean 503 too, and nothing was fetched', async () => {
    const handler = coldStart({ AWS_ENDPOINT_URL_DYNAMODB: stalled.endpoint });

    const answer = await deliverTimed(handler);

    expect(answer.statusCode).toBe(503);
    expect(answer.error).toBe('storage_unavailable');
    expect(answer.ms).toBeLessThan(27_000);
    expect(origin.requests).toHaveLength(0);
  }, 40_000);

  it('bounds a stalled SSM config read by the same deadline, and the answer names no parameter', async () => {
    const handler = coldStart({
      SYNC_PROJECTS: '',
      SYNC_CONFIG_PARAMETER: '/datafile-sync/test/config',
      AWS_ENDPOINT_URL_SSM: stalled.endpoint,
      WEBHOOK_DEADLINE_MS: '1500',
    });

    const answer = await deliverTimed(handler);

    expect([answer.statusCode, answer.error]).toEqual([503, 'deadline_exceeded']);
    expect(answer.ms).toBeLessThan(10_000);
    expect(origin.requests).toHaveLength(0);
  }, 40_000);

  it('answers 503 deadline_exceeded once WEBHOOK_DEADLINE_MS passes, whatever is still waiting', async () => {
    const handler = coldStart({ AWS_ENDPOINT_URL_S3: stalled.endpoint, WEBHOOK_DEADLINE_MS: '1500' });

    const answer = await deliverTimed(handler);

    expect([answer.statusCode, answer.error]).toEqual([503, 'deadline_exceeded']);
  }, 40_000);
});
