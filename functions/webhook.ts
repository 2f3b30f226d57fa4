import type { APIGatewayProxyResult, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createWebhookApp } from '../lib/app';
import { loadWebhookConfig } from '../lib/config';
import { DatafileSyncError, describeError } from '../lib/errors';
import { createLogger } from '../lib/log';
import { webhookObserver } from '../lib/metrics';
import { errorResponse } from '../lib/webhook/http';
import type { WebhookEvent } from '../lib/webhook/request';

// Metrics are dimensioned by the function's name (set by Lambda), which the alarms reference.
const observe = webhookObserver({ service: process.env.AWS_LAMBDA_FUNCTION_NAME || 'datafile-sync-webhook' });

// Built once per container and reused by every warm invocation. A configuration error is kept and
// answered as a JSON 500 on each request (logged, and counted as a webhook failure), rather than
// crashing the init phase.
const app = (() => {
  try {
    return createWebhookApp(loadWebhookConfig(), { observe });
  } catch (error) {
    createLogger({ service: 'datafile-sync-webhook' }).error('invalid configuration', { error: describeError(error) });
    return async () => {
      const response = errorResponse(error);
      observe({
        statusCode: response.statusCode,
        outcome: error instanceof DatafileSyncError ? error.code : 'internal_error',
        durationMs: 0,
      });
      return response;
    };
  }
})();

/** POST /webhook — Optimizely `project.datafile_updated` (HTTP API 2.0, REST API 1.0 or Function URL). */
export const handler = (event: WebhookEvent): Promise<APIGatewayProxyStructuredResultV2 & APIGatewayProxyResult> => app(event);
