import type dns from 'node:dns';
import type { ServerResponse } from 'node:http';
import net from 'node:net';
import { createWebhookApp } from '../../lib/app';
import { type FetchPolicy, fetchDatafile } from '../../lib/datafile/fetch';
import { checkUrl, DEFAULT_ALLOWED_HOSTS } from '../../lib/datafile/hosts';
import { body, type LocalOrigin, redirect, startOrigin } from '../../local/origin';
import { makeDatafile, PROJECT_ID } from '../support/datafiles';
import { testWebhookConfig } from '../support/ops';
import { freshStores, listObjects, type TestStores } from '../support/stores';
import { httpApiEvent } from '../support/webhooks';

/*
 * Every probe below is built so that a broken guard could only reach this machine: IP literals
 * elsewhere are checked refused by the pure URL check before anything is dialled, names resolve
 * through an injected resolver that only ever answers loopback addresses, and a fence around
 * net.Socket#connect refuses (and records) any dial to a non-loopback address as a last resort.
 */

const PROBE = '/datafiles/ssrf_probe.json';
let origin: LocalOrigin; // plain-HTTP stand-in; records every request path
let sentinel: { port: number; connections: number; close(): Promise<void> }; // HTTPS probes land here: counts raw TCP connections
let stores: TestStores;
const dialled: string[] = [];
const blocked: string[] = [];
const asked: string[] = [];
let answers: Record<string, string[]> = {};

/** The injected resolver: names map to the loopback answers a test chooses; anything else is unknown. */
const fakeDns = ((hostname: string, _options: unknown, callback: (e: Error | null, a?: dns.LookupAddress[]) => void) => {
  asked.push(hostname);
  const answer = answers[hostname.toLowerCase()];
  if (!answer) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
  callback(
    null,
    answer.map((address) => ({ address, family: net.isIP(address) })),
  );
}) as unknown as typeof dns.lookup;

const LOCAL = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+|::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}|0\.0\.0\.0|::)$/i;
const originalConnect = net.Socket.prototype.connect;

/** Refuse any dial to a non-loopback address, whatever the code under test does; record every dial. */
function installFence() {
  net.Socket.prototype.connect = function fenced(this: net.Socket, ...args: unknown[]) {
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    const opts = (typeof first === 'object' && first !== null ? first : { port: first, host: args[1] }) as net.TcpNetConnectOpts;
    const host = String(opts.host ?? 'localhost').replace(/^\[|\]$/g, '');
    if (net.isIP(host)) {
      if (!LOCAL.test(host)) {
        blocked.push(host);
        process.nextTick(() => this.destroy(new Error(`fence: refused to dial ${host}`)));
        return this;
      }
      dialled.push(`${host}:${opts.port}`);
    } else if (typeof first === 'object' && first !== null) {
      const inner = (opts.lookup ?? fakeDns) as unknown as (h: string, o: object, cb: (...a: unknown[]) => void) => void;
      opts.lookup = ((h: string, o: object, cb: (...a: unknown[]) => void) =>
        inner(h, o, (err: unknown, address: unknown, family: unknown) => {
          const list = Array.isArray(address) ? (address as dns.LookupAddress[]).map((a) => a.address) : [String(address)];
          if (!err && list.some((a) => !LOCAL.test(a))) {
            blocked.push(...list);
            return cb(new Error('fence: refused a non-loopback answer'));
          }
          if (!err) dialled.push(`${h}=${list.join(',')}:${opts.port}`);
          cb(err, address, family);
        })) as unknown as net.LookupFunction;
    }
    return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;
}

async function startSentinel() {
  const state = { connections: 0 };
  const server = net.createServer((socket) => {
    state.connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return state.connections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  installFence();
  origin = await startOrigin();
  sentinel = await startSentinel();
  stores = await freshStores();
});
afterAll(async () => {
  net.Socket.prototype.connect = originalConnect;
  await origin.close();
  await sentinel.close();
});
beforeEach(() => {
  dialled.length = 0;
  blocked.length = 0;
  asked.length = 0;
  answers = {};
  origin.requests.length = 0;
});

const limits = {
  maxBytes: 1024 * 1024,
  connectTimeoutMs: 500,
  attemptTimeoutMs: 1000,
  budgetMs: 2000,
  baseDelayMs: 1,
  maxDelayMs: 5,
  maxRedirects: 3,
};
/** As deployed: Optimizely's hosts on the default port, HTTPS only, no loopback. */
const production = (): FetchPolicy => ({ ...limits, allowedHosts: DEFAULT_ALLOWED_HOSTS, allowLoopback: false, lookup: fakeDns });
/** The local origin allowed (loopback + HTTP), for redirect chains that start somewhere legitimate. */
const local = (extra: string[] = []): FetchPolicy => ({
  ...limits,
  allowedHosts: [`127.0.0.1:${origin.port}`, ...extra],
  allowLoopback: true,
  lookup: fakeDns,
});

const noSleep = async () => undefined;
const fetchOne = (url: string, policy: FetchPolicy, token?: string) =>
  fetchDatafile({ urls: [url], projectId: PROJECT_ID, minRevision: 1, token }, policy, noSleep);

function webhook(policy: FetchPolicy) {
  const config = testWebhookConfig(stores, policy);
  const handler = createWebhookApp(config, { s3: stores.s3, dynamo: stores.dynamo });
  return async (url: string) => {
    const doc = {
      project_id: Number(PROJECT_ID),
      timestamp: 1,
      event: 'project.datafile_updated',
      data: { revision: 1, origin_url: url, cdn_url: url },
    };
    const res = await handler(httpApiEvent(JSON.stringify(doc)));
    return { status: res.statusCode, error: JSON.parse(res.body).error as string };
  };
}

/** Nothing reached either local server and nothing was dialled (or only the listed origin). */
function expectNothingReached(allowedDials: string[] = []) {
  expect(origin.requests.map((r) => r.path)).not.toContain(PROBE);
  expect(sentinel.connections).toBe(0);
  expect(blocked).toEqual([]);
  expect(dialled.filter((d) => !allowedDials.includes(d))).toEqual([]);
}

const refusedUrls = (s: number): [string, string][] => [
  ['AWS metadata (IPv4)', `https://169.254.169.254${PROBE}`],
  ['AWS metadata over http', `http://169.254.169.254/latest/meta-data/iam/security-credentials/`],
  ['AWS metadata (IPv6)', `https://[fd00:ec2::254]${PROBE}`],
  ['GCP metadata name', `https://metadata.google.internal${PROBE}`],
  ['GCP metadata name, odd port', `https://metadata.google.internal:${s}${PROBE}`],
  ['loopback dotted', `https://127.0.0.1:${s}${PROBE}`],
  ['loopback decimal', `https://2130706433:${s}${PROBE}`],
  ['loopback hex', `https://0x7f000001:${s}${PROBE}`],
  ['loopback octal', `https://0177.0.0.1:${s}${PROBE}`],
  ['loopback short', `https://127.1:${s}${PROBE}`],
  ['loopback IPv6', `https://[::1]:${s}${PROBE}`],
  ['loopback IPv4-mapped', `https://[::ffff:127.0.0.1]:${s}${PROBE}`],
  ['loopback IPv4-mapped hex', `https://[::ffff:7f00:1]:${s}${PROBE}`],
  ['unspecified address', `https://0.0.0.0:${s}${PROBE}`],
  ['localhost', `https://localhost:${s}${PROBE}`],
  ['user@host', `https://cdn.optimizely.com@127.0.0.1:${s}${PROBE}`],
  ['user:pass@host', `https://cdn.optimizely.com:443@127.0.0.1:${s}${PROBE}`],
  ['fragment @', `https://127.0.0.1:${s}#@cdn.optimizely.com${PROBE}`],
  ['backslash @', `https://127.0.0.1:${s}\\@cdn.optimizely.com${PROBE}`],
  ['lookalike suffix', `https://cdn.optimizely.com.evil.test:${s}${PROBE}`],
  ['lookalike hyphen', `https://cdn-optimizely.com${PROBE}`],
  ['lookalike TLD', `https://cdn.optimizely.co${PROBE}`],
  ['trailing dot, upper case', `https://CDN.OPTIMIZELY.COM.${PROBE}`],
  ['non-https', `http://cdn.optimizely.com${PROBE}`],
  ['ftp', `ftp://cdn.optimizely.com${PROBE}`],
  ['file', 'file:///etc/passwd'],
  ['odd port', `https://cdn.optimizely.com:8443${PROBE}`],
  ['odd port to the sentinel', `https://cdn.optimizely.com:${s}${PROBE}`],
];

describe('SSRF: datafile URLs aimed anywhere but Optimizely', () => {
  it('the corpus is refused by the pure URL check first (so no test below can dial out)', () => {
    for (const [name, url] of refusedUrls(sentinel.port)) expect([name, 'reason' in checkUrl(url, production())]).toEqual([name, true]);
  });

  it.each(refusedUrls(0).map(([name]) => name))('%s: fetchDatafile refuses without resolving or dialling', async (name) => {
    // Arrange
    const url = (refusedUrls(sentinel.port).find(([n]) => n === name) as [string, string])[1];
    expect(checkUrl(url, production())).toHaveProperty('reason');
    answers = { 'cdn.optimizely.com': ['127.0.0.1'], 'metadata.google.internal': ['127.0.0.1'], localhost: ['127.0.0.1'] };

    // Act
    const result = fetchOne(url, production());

    // Assert
    await expect(result).rejects.toMatchObject({ code: 'datafile_fetch_failed' });
    expect(asked).toEqual([]);
    expectNothingReached();
  });

  it('the webhook answers 400 invalid_payload for every corpus URL, stores nothing and requests nothing', async () => {
    // Arrange
    const send = webhook(production());
    answers = { 'cdn.optimizely.com': ['127.0.0.1'], 'metadata.google.internal': ['127.0.0.1'], localhost: ['127.0.0.1'] };

    // Act
    const results = [];
    for (const [name, url] of refusedUrls(sentinel.port)) results.push([name, await send(url)]);

    // Assert
    for (const [name, res] of results) expect([name, res]).toEqual([name, { status: 400, error: 'invalid_payload' }]);
    expect(asked).toEqual([]);
    expectNothingReached();
    expect(await listObjects(stores)).toEqual([]);
  });
});

describe('SSRF: an allowed name that resolves to a private address', () => {
  const loopbackAnswers = [
    ['127.0.0.1'],
    ['127.0.0.2'],
    ['::1'],
    ['::ffff:127.0.0.1'],
    ['::ffff:7f00:1'],
    ['0.0.0.0'],
    ['::'],
    ['127.0.0.1', '::1'],
  ];

  it.each(loopbackAnswers.map((a) => [a.join(' + '), a] as const))(
    'cdn.optimizely.com → %s is refused after resolution and before connecting',
    async (_name, answer) => {
      // Arrange: the allowed host on the sentinel's port, resolving to a loopback address.
      const policy = { ...production(), allowedHosts: [`cdn.optimizely.com:${sentinel.port}`] };
      answers = { 'cdn.optimizely.com': answer };

      // Act
      const result = fetchOne(`https://cdn.optimizely.com:${sentinel.port}${PROBE}`, policy);

      // Assert
      await expect(result).rejects.toMatchObject({ code: 'datafile_fetch_failed' });
      expect(asked).toContain('cdn.optimizely.com');
      expectNothingReached();
    },
  );

  it('through the webhook: 502 datafile_fetch_failed, the sentinel sees no connection', async () => {
    // Arrange
    const send = webhook({ ...production(), allowedHosts: [`cdn.optimizely.com:${sentinel.port}`] });
    answers = { 'cdn.optimizely.com': ['127.0.0.1'] };

    // Act
    const res = await send(`https://cdn.optimizely.com:${sentinel.port}${PROBE}`);

    // Assert
    expect(res).toEqual({ status: 502, error: 'datafile_fetch_failed' });
    expect(asked).toContain('cdn.optimizely.com');
    expectNothingReached();
  });
});

describe('SSRF: redirects from an allowed origin', () => {
  const targets = (o: number, s: number): [string, string][] => [
    ['another port', `http://127.0.0.1:${s}${PROBE}`],
    ['another host name', `http://localhost:${o}${PROBE}`],
    ['an IPv6 literal', `http://[::1]:${o}${PROBE}`],
    ['a decimal IP literal on another port', `http://2130706433:${s}${PROBE}`],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['a lookalike host', `http://cdn.optimizely.com.evil.test:${o}${PROBE}`],
    ['credentials in the URL', `http://cdn.optimizely.com@127.0.0.1:${o}${PROBE}`],
    ['a protocol-relative URL', `//evil.test:${o}${PROBE}`],
    ['a file URL', 'file:///etc/passwd'],
  ];

  it.each(targets(0, 0).map(([name]) => name))('to %s: the target is never requested', async (name) => {
    // Arrange
    const location = (targets(origin.port, sentinel.port).find(([n]) => n === name) as [string, string])[1];
    origin.serve('/datafiles/start.json', redirect(location));
    answers = { localhost: ['127.0.0.1'], 'evil.test': ['127.0.0.1'], 'cdn.optimizely.com.evil.test': ['127.0.0.1'] };

    // Act
    const result = fetchOne(`${origin.url}/datafiles/start.json`, local());

    // Assert
    await expect(result).rejects.toMatchObject({ code: 'datafile_fetch_failed' });
    expect(origin.requests.map((r) => r.path)).toEqual(['/datafiles/start.json']);
    expectNothingReached([`127.0.0.1:${origin.port}`]);
  });

  it('through the webhook: 502 datafile_fetch_failed and only the first hop is requested', async () => {
    // Arrange
    origin.serve('/datafiles/start.json', redirect(`http://127.0.0.1:${sentinel.port}${PROBE}`));
    const send = webhook(local());

    // Act
    const res = await send(`${origin.url}/datafiles/start.json`);

    // Assert
    expect(res).toEqual({ status: 502, error: 'datafile_fetch_failed' });
    expect([...new Set(origin.requests.map((r) => r.path))]).toEqual(['/datafiles/start.json']);
    expectNothingReached([`127.0.0.1:${origin.port}`]);
  });

  it('control: a redirect within the allow-list is followed, and the token is not sent to another host', async () => {
    // Arrange: both hops allowed; the second is another host name (resolving to the same origin).
    origin.serve('/datafiles/start.json', redirect(`http://origin-b.test:${origin.port}/datafiles/final.json`));
    origin.serve('/datafiles/final.json', body(makeDatafile({ revision: 4 })));
    answers = { 'origin-b.test': ['127.0.0.1'] };

    // Act
    const got = await fetchOne(`${origin.url}/datafiles/start.json`, local([`origin-b.test:${origin.port}`]), 'hostile-secret-token-5551');

    // Assert
    expect(got.revision).toBe(4);
    expect(origin.requests.map((r) => [r.path, r.headers.authorization])).toEqual([
      ['/datafiles/start.json', 'Bearer hostile-secret-token-5551'],
      ['/datafiles/final.json', undefined],
    ]);
    // The fence saw both real dials (so its silence elsewhere means something) and blocked none.
    expect(dialled).toEqual([`127.0.0.1:${origin.port}`, `origin-b.test=127.0.0.1:${origin.port}`]);
    expect(blocked).toEqual([]);
  });
});

describe('redirect bodies', () => {
  const TOTAL = 25 * 1024 * 1024;

  /** A redirect that then trickles a 25 MiB body; resolves, when its connection closes, with what it managed to send. */
  function slowRedirect(code: number, location: string) {
    let closed: (outcome: { written: number; finished: boolean }) => void = () => undefined;
    const done = new Promise<{ written: number; finished: boolean }>((resolve) => {
      closed = resolve;
    });
    const responder = (_req: unknown, res: ServerResponse) => {
      let written = 0;
      const chunk = Buffer.alloc(64 * 1024, 'x');
      res.on('close', () => closed({ written, finished: res.writableFinished }));
      res.writeHead(code, { location, 'content-length': String(TOTAL) });
      const pump = () => {
        if (res.destroyed) return;
        if (written >= TOTAL) return void res.end();
        written += chunk.length;
        res.write(chunk, () => setTimeout(pump, 1));
      };
      pump();
    };
    return { responder, done };
  }

  it.each([301, 302, 307])('a %s is followed without reading its body: the connection is closed at once', async (code) => {
    // Arrange
    const slow = slowRedirect(code, `${origin.url}/datafiles/final.json`);
    origin.serve('/datafiles/start.json', slow.responder);
    origin.serve('/datafiles/final.json', body(makeDatafile({ revision: 6 })));

    // Act
    const got = await fetchOne(`${origin.url}/datafiles/start.json`, local());
    const redirectHop = await slow.done;

    // Assert: the datafile came from the second hop, and the redirect's connection was closed
    // by the client long before its body could be sent.
    expect(got.revision).toBe(6);
    expect(origin.requests.map((r) => r.path)).toEqual(['/datafiles/start.json', '/datafiles/final.json']);
    expect(redirectHop.finished).toBe(false);
    expect(redirectHop.written).toBeLessThan(TOTAL / 4);
  });
});
