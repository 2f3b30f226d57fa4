import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { body, type LocalOrigin, startOrigin } from '../../local/origin';
import { makeDatafile } from '../support/datafiles';
import { coldStartWebhook, restoreEnvironment, webhookEnvironment } from '../support/lambda';
import { freshStores, readObject, type TestStores } from '../support/stores';
import { httpApiEvent, payload } from '../support/webhooks';

let stores: TestStores;
let origin: LocalOrigin;

beforeEach(async () => {
  stores = await freshStores();
  origin = await startOrigin();
  origin.serve('/datafiles/sdk_key.json', body(makeDatafile({ revision: 4 })));
});
afterEach(async () => {
  restoreEnvironment();
  await origin.close();
});

const environment = () => webhookEnvironment(stores, origin);
const coldStart = coldStartWebhook;

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
