/**
 * One base error for the project. Every subclass carries a stable machine `code` and the HTTP
 * status it maps to; `expose` says whether its message is safe to show a caller (never true for
 * anything that might contain a secret, a token or a stack).
 *
 * @example
 * try { await reader.get('sdk_key'); } catch (e) { if (e instanceof DatafileSyncError) console.log(e.code); }
 */
export class DatafileSyncError extends Error {
  override readonly name: string = 'DatafileSyncError';
  constructor(
    readonly code: string,
    message: string,
    readonly status = 500,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
  get expose(): boolean {
    return this.status < 500 || this.status === 502 || this.status === 503;
  }
}

/** The request itself is wrong: bad JSON, bad payload, bad signature, too large. */
export class RequestError extends DatafileSyncError {
  override readonly name = 'RequestError';
}

/** The datafile could not be fetched or is not one we accept. */
export class DatafileError extends DatafileSyncError {
  override readonly name = 'DatafileError';
}

/** S3 or DynamoDB failed; nothing is lost, the delivery may be retried. */
export class StorageError extends DatafileSyncError {
  override readonly name = 'StorageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('storage_unavailable', message, 503, options);
  }
}

/** Configuration is missing or malformed: fails at cold start, naming the variable. */
export class ConfigError extends DatafileSyncError {
  override readonly name = 'ConfigError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_config', message, 500, options);
  }
}

/** Wrap an AWS failure: names the action and the error class, never request details. */
export function storageError(action: string, cause: unknown): StorageError {
  const name = (cause as { name?: string } | null)?.name ?? 'Error';
  return new StorageError(`Could not ${action} (${name}).`, { cause });
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export function jsonResponse(statusCode: number, body: Record<string, unknown>): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

/** The one error → HTTP mapping. Unexpected errors become a generic 500; details go to the log only. */
export function errorResponse(error: unknown): HttpResponse {
  if (error instanceof DatafileSyncError && error.expose) {
    return jsonResponse(error.status, { error: error.code, message: error.message });
  }
  return jsonResponse(500, { error: 'internal_error', message: 'Internal error; see the function log.' });
}

/** A short, secret-free description of any thrown value, for logs. */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof DatafileSyncError) {
    const cause = error.cause instanceof Error ? `${error.cause.name}: ${error.cause.message}` : undefined;
    return { name: error.name, code: error.code, message: error.message, cause };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { message: String(error) };
}
