import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for SSM Parameter Store's GetParameter (AWS JSON 1.1 protocol), so the real
 * SSMClient runs unmodified against it. There is no local SSM to start; this speaks just the one
 * call the webhook makes, and counts how often it is made. Like SSM, a SecureString read without
 * WithDecryption answers ciphertext, not the value.
 */
export interface LocalSsm {
  endpoint: string;
  parameters: Map<string, string>;
  reads: string[];
  close(): Promise<void>;
}

export async function startLocalSsm(): Promise<LocalSsm> {
  const parameters = new Map<string, string>();
  const reads: string[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => {
      raw += c.toString();
    });
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const { Name, WithDecryption } = JSON.parse(raw || '{}') as { Name?: string; WithDecryption?: boolean };
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (target !== 'AmazonSSM.GetParameter' || !Name) {
        res.writeHead(400).end(JSON.stringify({ __type: 'ValidationException', message: 'unsupported' }));
        return;
      }
      reads.push(Name);
      const value = parameters.get(Name);
      if (value === undefined) {
        res.writeHead(400).end(JSON.stringify({ __type: 'ParameterNotFound', message: `${Name} not found` }));
        return;
      }
      const shown = WithDecryption ? value : `AQICAH${Buffer.from(value).toString('base64')}`;
      res.writeHead(200).end(JSON.stringify({ Parameter: { Name, Type: 'SecureString', Value: shown, Version: 1 } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    parameters,
    reads,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
