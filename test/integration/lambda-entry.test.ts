import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { body, type LocalOrigin, startOrigin } from '../../local/origin';
import { makeDatafile, PROJECT_ID } from '../support/datafiles';
import { freshStores, readObject, type TestStores } from '../support/stores';
import { httpApiEvent, payload, SECRET } from '../support/webhooks';

type Handler = (event: unknown) => Promise<{ statusCode: number; body: string; headers?: Record<string, string> }>;

let stores: TestStores;
let origin: LocalOrigin;
const saved = { ...process.env };

/** Load functions/webhook.ts fresh, as a new Lambda container would, with the given environment. */
function coldStart(env: Record<string, string | undefined>): Handler {
  process.env = { ...saved, ...env };
  let handler: Handler | undefined;
  jest.isolateModules(() => {
    handler = (require('../../functions/webhook') as { handler: Handler }).handler;
  });
  return handler as Handler;
}

beforeEach(async () => {
  stores = await freshStores();
  origin = await startOrigin();
  origin.serve('/datafiles/sdk_key.json', body(makeDatafile({ revision: 4 })));
});
afterEach(async () => {
  process.env = saved;
  await origin.close();
});

function environment(): Record<string, string> {
  return {
    DATAFILE_TABLE: stores.table,
    DATAFILE_BUCKET: stores.bucket,
    SYNC_PROJECTS: JSON.stringify({ projects: { [PROJECT_ID]: { secrets: [SECRET] } } }),
    ALLOWED_HOSTS: `127.0.0.1:${origin.port}`,
    ALLOW_LOOPBACK: 'true',
    AWS_ENDPOINT_URL_S3: process.env.TEST_S3_ENDPOINT as string,
    AWS_ENDPOINT_URL_DYNAMODB: process.env.TEST_DYNAMODB_ENDPOINT as string,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    LOG_LEVEL: 'error',
  };
}

describe('functions/webhook handler (the Lambda entry point)', () => {
  it('syncs a datafile configured only through environment variables and the two endpoint variables', async () => {
    const handler = coldStart(environment());

    const res = await handler(httpApiEvent(payload({ revision: 4, origin: origin.url })));

    expect([res.statusCode, JSON.parse(res.body).status]).toEqual([200, 'updated']);
    expect(res.headers?.['content-type']).toBe('application/json');
    expect((await readObject(stores, 'datafiles/sdk_key/latest.json'))?.body).toBe(makeDatafile({ revision: 4 }));
  });

  it('accepts a Lambda Function URL event', async () => {
    const handler = coldStart(environment());
    const v2 = httpApiEvent(payload({ revision: 4, origin: origin.url }), { base64: true });
    const functionUrl = { ...v2, routeKey: '$default' } as unknown as LambdaFunctionURLEvent;

    const res = await handler(functionUrl);

    expect(res.statusCode).toBe(200);
  });

  it('answers a generic JSON 500 without details when the configuration is invalid', async () => {
    const handler = coldStart({ ...environment(), DATAFILE_TABLE: '', SYNC_PROJECTS: '{"projects":{"1":{"secrets":["short"]}}}' });

    const res = await handler(httpApiEvent(payload({ revision: 4, origin: origin.url })));

    expect(res.statusCode).toBe(500);
    expect(JSON.parse(res.body)).toEqual({ error: 'internal_error', message: expect.any(String) });
    expect(res.body).not.toMatch(/DATAFILE_TABLE|at .*\.ts/);
  });
});
