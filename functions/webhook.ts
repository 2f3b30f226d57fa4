import type { APIGatewayProxyResult, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createWebhookApp } from '../lib/app';
import { loadWebhookConfig } from '../lib/config';
import { describeError } from '../lib/errors';
import { createLogger } from '../lib/log';
import { errorResponse } from '../lib/webhook/http';
import type { WebhookEvent } from '../lib/webhook/request';

// Built once per container and reused by every warm invocation. A configuration error is kept and
// answered as a JSON 500 on each request (and logged), rather than crashing the init phase.
const app = (() => {
  try {
    return createWebhookApp(loadWebhookConfig());
  } catch (error) {
    createLogger({ service: 'datafile-sync-webhook' }).error('invalid configuration', { error: describeError(error) });
    return async () => errorResponse(error);
  }
})();

/** POST /webhook — Optimizely `project.datafile_updated` (HTTP API 2.0, REST API 1.0 or Function URL). */
export const handler = (event: WebhookEvent): Promise<APIGatewayProxyStructuredResultV2 & APIGatewayProxyResult> => app(event);
