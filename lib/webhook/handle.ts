import type { ProjectsSource } from '../config';
import type { UrlPolicy } from '../datafile/hosts';
import { DatafileSyncError, describeError, RequestError } from '../errors';
import type { Logger } from '../log';
import type { WebhookObservation } from '../metrics';
import type { SyncOutcome } from '../sync/sync-datafile';
import { findSigner, type Signer } from './authenticate';
import { errorResponse, type HttpResponse, jsonResponse } from './http';
import { type DatafileUpdate, parsePayload } from './payload';
import { normalizeRequest, type WebhookEvent, type WebhookRequest } from './request';

export interface WebhookDeps {
  projects: ProjectsSource;
  /**
   * One deadline for the whole request (default 25 s): past it the answer is `503
   * deadline_exceeded`, before the function's own timeout and API Gateway's 29 s would turn it into
   * a bare 5xx. Work still running carries on safely: every write is ordered so a half-done
   * delivery is repaired by the redelivery the 503 asks for.
   */
  deadlineMs?: number;
  urlPolicy: UrlPolicy;
  /** Store the datafile the update announces (token: the key's datafile access token, if any). */
  sync(update: DatafileUpdate, token: string | undefined): Promise<SyncOutcome>;
  logger: Logger;
  /** Told once per request: the final status and outcome (metrics). */
  observe?: (o: WebhookObservation) => void;
}

/**
 * The whole webhook, as plain steps: normalise → verify signature → parse → authorise project and
 * environment → sync. Nothing in the body is acted on before a signature matches. Every path ends
 * in one JSON response with a stable `status` or `error` code and one structured log line.
 */
export async function handleWebhook(event: WebhookEvent, deps: WebhookDeps): Promise<HttpResponse> {
  const started = Date.now();
  const fields: Record<string, unknown> = {};
  let response: HttpResponse;
  let measured: Pick<WebhookObservation, 'fetchMs' | 'bytes'> = {};
  try {
    const request = normalizeRequest(event);
    fields.requestId = request.requestId;
    if (request.method !== 'POST') throw new RequestError('method_not_allowed', 'Use POST.');
    // The deadline covers the config read too: a stalled SSM must not hold the delivery past it.
    const signer = await withDeadline(authenticate(request, deps.projects), deadline(started, deps));
    const parsed = parsePayload(request.body, deps.urlPolicy);
    if ('ignored' in parsed) {
      fields.event = parsed.ignored;
      response = jsonResponse(202, { status: 'ignored_event', event: parsed.ignored });
    } else {
      const update = parsed.update;
      Object.assign(fields, { project: update.projectId, environment: update.environment, key: update.key, revision: update.revision });
      authorize(signer, update);
      const outcome = await withDeadline(deps.sync(update, signer.settings.accessTokens.get(update.key)), deadline(started, deps));
      const { status, key, revision, current, previous, violations } = outcome;
      measured = { fetchMs: outcome.fetchMs, bytes: outcome.bytes };
      Object.assign(fields, { stored: revision, current, previous });
      response = jsonResponse(200, { status, key, revision, current, previous, violations });
    }
  } catch (error) {
    response = errorResponse(error);
    if (response.statusCode >= 500) fields.error = describeError(error);
  }
  const outcome = JSON.parse(response.body) as { status?: string; error?: string };
  const line = { ...fields, outcome: outcome.status ?? outcome.error, statusCode: response.statusCode, durationMs: Date.now() - started };
  if (response.statusCode >= 500) deps.logger.error('webhook', line);
  else if (response.statusCode >= 400) deps.logger.warn('webhook', line);
  else deps.logger.info('webhook', line);
  deps.observe?.({ statusCode: line.statusCode, outcome: line.outcome ?? 'unknown', durationMs: line.durationMs, ...measured });
  return response;
}

async function authenticate(request: WebhookRequest, projects: ProjectsSource): Promise<Signer> {
  const header = request.headers['x-hub-signature'];
  let signer = findSigner(request.body, header, await projects.current());
  if (!signer) {
    // Maybe the secret was rotated since this container loaded the configuration.
    const fresh = await projects.refresh();
    if (fresh) signer = findSigner(request.body, header, fresh);
  }
  if (!signer) throw new RequestError('invalid_signature', 'Missing or invalid X-Hub-Signature.');
  return signer;
}

function authorize(signer: Signer, update: DatafileUpdate): void {
  if (signer.projectId !== '*' && signer.projectId !== update.projectId) {
    throw new RequestError('unknown_project', `Project ${update.projectId} is not configured here.`);
  }
  const allowed = signer.settings.environments;
  if (allowed && !(update.environment !== undefined && allowed.includes(update.environment))) {
    throw new RequestError('environment_not_allowed', `Environment ${update.environment ?? '(none)'} is not synced for this project.`);
  }
}

function deadline(started: number, deps: WebhookDeps): number {
  return started + (deps.deadlineMs ?? 25_000);
}

/** The work's result, or `deadline_exceeded` once the deadline passes (the work is not cancelled). */
async function withDeadline<T>(work: Promise<T>, at: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DatafileSyncError('deadline_exceeded', 'The delivery took too long; nothing is lost, redeliver it.')),
      Math.max(0, at - Date.now()),
    );
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
}
