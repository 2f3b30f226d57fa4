import { DatafileSyncError, type ErrorCode } from '../errors';

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The one error code → HTTP status mapping. Codes not listed are not for callers: they become a
 * generic 500 while the full error goes to the log. 503 means "nothing was lost, redeliver".
 */
const STATUS: Partial<Record<ErrorCode, number>> = {
  invalid_json: 400,
  invalid_payload: 400,
  invalid_signature: 401,
  unknown_project: 403,
  environment_not_allowed: 403,
  method_not_allowed: 405,
  revision_conflict: 409,
  payload_too_large: 413,
  datafile_fetch_failed: 502,
  invalid_datafile: 502,
  stale_datafile: 503,
  storage_unavailable: 503,
  config_unavailable: 503,
  deadline_exceeded: 503,
};

/** The HTTP status a code answers with; undefined for codes that are never shown to a caller. */
export function statusFor(code: ErrorCode): number | undefined {
  return STATUS[code];
}

export function jsonResponse(statusCode: number, body: Record<string, unknown>): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

/** An error as the caller sees it. Unexpected errors become a generic 500; details go to the log only. */
export function errorResponse(error: unknown): HttpResponse {
  const status = error instanceof DatafileSyncError ? statusFor(error.code) : undefined;
  if (error instanceof DatafileSyncError && status !== undefined) {
    return jsonResponse(status, { error: error.code, message: error.message });
  }
  return jsonResponse(500, { error: 'internal_error', message: 'Internal error; see the function log.' });
}
