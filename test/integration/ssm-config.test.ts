import { SSMClient } from '@aws-sdk/client-ssm';
import { createWebhookApp } from '../../lib/app';
import { fetchPolicy } from '../../lib/config';
import { createLogger, setLogSink } from '../../lib/log';
import { body, type LocalOrigin, startOrigin } from '../../local/origin';
import { makeDatafile, PROJECT_ID } from '../support/datafiles';
import { type LocalSsm, startLocalSsm } from '../support/ssm-server';
import { freshStores, type TestStores } from '../support/stores';
import { httpApiEvent, payload } from '../support/webhooks';

const PARAMETER = '/optimizely-datafile-sync/test/config';
const OLD = 'rotation-old-secret-111';
const NEW = 'rotation-new-secret-222';

let ssm: LocalSsm;
let origin: LocalOrigin;
let stores: TestStores;
let clock: number;

function config(secrets: string[]): string {
  return JSON.stringify({ projects: { [PROJECT_ID]: { secrets } } });
}

function app() {
  const client = new SSMClient({ endpoint: ssm.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  return createWebhookApp(
    {
      table: stores.table,
      bucket: stores.bucket,
      projects: { kind: 'ssm', parameter: PARAMETER, ttlMs: 300_000 },
      fetch: { ...fetchPolicy({ ALLOWED_HOSTS: `127.0.0.1:${origin.port}`, ALLOW_LOOPBACK: 'true' }), budgetMs: 1000 },
    },
    { s3: stores.s3, dynamo: stores.dynamo, ssm: client, now: () => clock, logger: createLogger({}, 'error') },
  );
}

beforeEach(async () => {
  ssm = await startLocalSsm();
  origin = await startOrigin();
  stores = await freshStores();
  clock = 1_000_000;
  origin.serve('/datafiles/sdk_key.json', body(makeDatafile({ revision: 3 })));
});
afterEach(async () => {
  await Promise.all([ssm.close(), origin.close()]);
});

describe('projects configuration from SSM', () => {
  it('is read once per container, not per webhook', async () => {
    ssm.parameters.set(PARAMETER, config([OLD]));
    const handler = app();

    const first = await handler(httpApiEvent(payload({ revision: 3, origin: origin.url }), { secret: OLD }));
    const second = await handler(httpApiEvent(payload({ revision: 3, origin: origin.url }), { secret: OLD }));

    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(ssm.reads).toEqual([PARAMETER]);
  });

  it('picks up a rotated secret after a signature failure, re-reading at most once a minute', async () => {
    ssm.parameters.set(PARAMETER, config([OLD]));
    const handler = app();
    await handler(httpApiEvent(payload({ revision: 3, origin: origin.url }), { secret: OLD }));
    ssm.parameters.set(PARAMETER, config([NEW, OLD]));
    const signedNew = () => handler(httpApiEvent(payload({ revision: 3, origin: origin.url }), { secret: NEW }));

    clock += 30_000;
    const tooSoon = await signedNew();
    clock += 30_000;
    const afterAMinute = await signedNew();
    const bogus = await handler(httpApiEvent(payload({ revision: 3, origin: origin.url }), { secret: 'not-a-secret-at-all' }));

    expect(tooSoon.statusCode).toBe(401);
    expect(afterAMinute.statusCode).toBe(200);
    expect(bogus.statusCode).toBe(401);
    expect(ssm.reads).toHaveLength(2);
  });

  it('answers 503 config_unavailable without naming the parameter or the AWS error, and retries a minute later', async () => {
    const handler = app();
    const send = () => handler(httpApiEvent(payload({ revision: 3, origin: origin.url }), { secret: OLD }));

    const missing = await send();
    ssm.parameters.set(PARAMETER, config([OLD]));
    const tooSoon = await send();
    clock += 60_000;
    const present = await send();

    expect([missing.statusCode, JSON.parse(missing.body).error]).toEqual([503, 'config_unavailable']);
    expect(missing.body).not.toContain(PARAMETER);
    expect(missing.body).not.toMatch(/ParameterNotFound|Exception/);
    expect(tooSoon.statusCode).toBe(503);
    expect(present.statusCode).toBe(200);
    expect(ssm.reads).toHaveLength(2);
  });

  it('stops accepting a secret removed from SSM within the time to live, even if it never fails a signature', async () => {
    ssm.parameters.set(PARAMETER, config([OLD, NEW]));
    const handler = app();
    const signedOld = () => handler(httpApiEvent(payload({ revision: 3, origin: origin.url }), { secret: OLD }));
    await signedOld();
    ssm.parameters.set(PARAMETER, config([NEW]));

    clock += 299_000;
    const beforeTtl = await signedOld();
    clock += 1_000;
    const afterTtl = await signedOld();

    expect([beforeTtl.statusCode, afterTtl.statusCode]).toEqual([200, 401]);
  });

  it('keeps the last good config when a refresh fails (SSM down or a bad edit), and tries again later', async () => {
    ssm.parameters.set(PARAMETER, config([OLD]));
    const handler = app();
    const send = () => handler(httpApiEvent(payload({ revision: 3, origin: origin.url }), { secret: OLD }));
    await send();
    ssm.parameters.set(PARAMETER, '{not json');

    clock += 300_000;
    const badEdit = await send();
    ssm.parameters.delete(PARAMETER);
    clock += 60_000;
    const ssmMissing = await send();
    const reads = ssm.reads.length;
    clock += 1_000;
    await send();

    expect([badEdit.statusCode, ssmMissing.statusCode]).toEqual([200, 200]);
    expect(ssm.reads.length).toBe(reads);
  });

  it('lets unsigned requests cause at most one SSM read per minute', async () => {
    ssm.parameters.set(PARAMETER, config([OLD]));
    const handler = app();
    await handler(httpApiEvent(payload({ revision: 3, origin: origin.url }), { secret: OLD }));

    for (let i = 0; i < 50; i++) {
      clock += 1_000;
      await handler(httpApiEvent(payload({ revision: 3, origin: origin.url }), { secret: `wrong-secret-${i}` }));
    }

    // 50 s of unsigned requests: the first refresh waits a minute after the initial load, so none.
    expect(ssm.reads).toHaveLength(1);
    clock += 10_000;
    await handler(httpApiEvent(payload({ revision: 3, origin: origin.url }), { secret: 'wrong-secret-x' }));
    await handler(httpApiEvent(payload({ revision: 3, origin: origin.url }), { secret: 'wrong-secret-y' }));
    expect(ssm.reads).toHaveLength(2);
  });

  it('registers loaded secrets so a line that would contain one is redacted', async () => {
    ssm.parameters.set(PARAMETER, config([OLD]));
    await app()(httpApiEvent(payload({ revision: 3, origin: origin.url }), { secret: OLD }));
    const lines: string[] = [];
    const previous = setLogSink((l) => lines.push(l));

    try {
      createLogger().info('mistake', { echoed: `value=${OLD}` });
    } finally {
      setLogSink(previous);
    }

    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('value=[REDACTED]');
    expect(lines[0]).not.toContain(OLD);
  });
});
