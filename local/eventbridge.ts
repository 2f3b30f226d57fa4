import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One PutEvents entry as received, with its Detail parsed. */
export interface ReceivedEvent {
  id: string;
  busName?: string;
  source?: string;
  detailType?: string;
  detail: unknown;
}

export interface LocalEventBridge {
  readonly endpoint: string;
  readonly port: number;
  readonly events: ReceivedEvent[];
  /** Called for every received entry (the local stack prints them). */
  onEvent?: (event: ReceivedEvent) => void;
  close(): Promise<void>;
}

/**
 * There is no local EventBridge, so this is the smallest stand-in a real EventBridgeClient can talk
 * to (`endpoint`): it speaks the PutEvents call of the AWS JSON 1.1 protocol
 * (`X-Amz-Target: AWSEvents.PutEvents`), records every entry and answers like the service does.
 * Any other operation gets the service's UnknownOperationException shape.
 */
export async function startLocalEventBridge(port = 0): Promise<LocalEventBridge> {
  const events: ReceivedEvent[] = [];
  const bus: LocalEventBridge = {
    endpoint: '',
    port: 0,
    events,
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() }).end(JSON.stringify(body));
      if (req.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
        return reply(400, { __type: 'UnknownOperationException', message: `Unsupported operation ${req.headers['x-amz-target']}` });
      }
      let entries: Record<string, unknown>[];
      try {
        entries = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: Record<string, unknown>[] }).Entries ?? [];
      } catch {
        return reply(400, { __type: 'SerializationException', message: 'Invalid JSON' });
      }
      const ids = entries.map((entry) => {
        const event: ReceivedEvent = {
          id: randomUUID(),
          busName: entry.EventBusName as string | undefined,
          source: entry.Source as string | undefined,
          detailType: entry.DetailType as string | undefined,
          detail: typeof entry.Detail === 'string' ? safeParse(entry.Detail) : entry.Detail,
        };
        events.push(event);
        bus.onEvent?.(event);
        return { EventId: event.id };
      });
      reply(200, { FailedEntryCount: 0, Entries: ids });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  Object.assign(bus, {
    endpoint: `http://127.0.0.1:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return bus;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
