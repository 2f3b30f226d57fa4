/**
 * One base error for the project. Every subclass carries a stable machine `code` from one union
 * ({@link ErrorCode}) and keeps the underlying failure as `cause`. Nothing here knows about HTTP or
 * exit codes: the webhook maps codes to statuses (`lib/webhook/http.ts`), the CLI to exit codes
 * (`lib/cli/exit.ts`).
 *
 * @example
 * try { await reader.get('sdk_key'); } catch (e) { if (e instanceof DatafileSyncError) console.log(e.code); }
 */

/** Every stable error code the project produces. */
export type ErrorCode =
  // the webhook request
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'invalid_json'
  | 'invalid_payload'
  | 'invalid_signature'
  | 'unknown_project'
  | 'environment_not_allowed'
  // the datafile
  | 'datafile_fetch_failed'
  | 'stale_datafile'
  | 'invalid_datafile'
  | 'revision_conflict'
  | 'revision_not_stored'
  | 'object_missing'
  | 'object_corrupt'
  // stores, configuration, time
  | 'storage_unavailable'
  | 'config_unavailable'
  | 'invalid_config'
  | 'deadline_exceeded'
  | 'reconcile_failed'
  | 'rollback_failed'
  // reader and Optimizely client provider
  | 'invalid_key'
  | 'invalid_reader_options'
  | 'datafile_not_found'
  | 'datafile_unavailable'
  | 'datafile_integrity'
  | 'datafile_rejected'
  | 'reader_closed'
  | 'provider_closed'
  // operator CLI
  | 'usage'
  | 'not_found'
  | 'approve_refused';

export class DatafileSyncError extends Error {
  override readonly name: string = 'DatafileSyncError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The request itself is wrong: bad JSON, bad payload, bad signature, too large. */
export class RequestError extends DatafileSyncError {
  override readonly name = 'RequestError';
}

/** The datafile could not be fetched, is not one we accept, or conflicts with what is stored. */
export class DatafileError extends DatafileSyncError {
  override readonly name = 'DatafileError';
}

/** S3 or DynamoDB failed; nothing is lost, the delivery may be retried. */
export class StorageError extends DatafileSyncError {
  override readonly name = 'StorageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('storage_unavailable', message, options);
  }
}

/** Configuration is missing or malformed: fails at cold start, naming the variable or field. */
export class ConfigError extends DatafileSyncError {
  override readonly name = 'ConfigError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_config', message, options);
  }
}

/**
 * Wrap an AWS failure: the message names the action only, since the webhook answers it to callers;
 * the AWS error stays the cause, which logs (`describeError`) and the CLI (`exitFor`) show.
 */
export function storageError(action: string, cause: unknown): StorageError {
  return new StorageError(`Could not ${action}; retry later.`, { cause });
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
