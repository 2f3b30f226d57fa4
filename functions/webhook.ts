import type { APIGatewayProxyResult, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createWebhookApp } from '../lib/app';
import { loadWebhookConfig, type WebhookConfig } from '../lib/config';
import { DatafileSyncError, describeError } from '../lib/errors';
import { createLogger } from '../lib/log';
import { webhookObserver } from '../lib/metrics';
import { errorResponse } from '../lib/webhook/http';
import type { WebhookEvent } from '../lib/webhook/request';

// Read once per container. A configuration error is kept and answered as a JSON 500 on each request
// (logged, and counted as a webhook failure), rather than crashing the init phase.
let config: WebhookConfig | undefined;
let configError: unknown;
try {
  config = loadWebhookConfig();
} catch (error) {
  configError = error;
}

// Metrics are dimensioned by the function's name (set by Lambda), which the alarms reference. Their
// warnings log at the configured level (the default, info, when the configuration did not load).
const observe = webhookObserver({
  service: process.env.AWS_LAMBDA_FUNCTION_NAME || 'datafile-sync-webhook',
  logLevel: config?.logLevel,
});

// Built once per container and reused by every warm invocation.
const app = (() => {
  try {
    if (!config) throw configError;
    return createWebhookApp(config, { observe });
  } catch (error) {
    createLogger({ service: 'datafile-sync-webhook' }, config?.logLevel).error('invalid configuration', { error: describeError(error) });
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
