import { type CheckResult, fail, pass } from './report';

export interface ProbeHints {
  /** Where the function's log is (a 5xx means it ran and failed). */
  log: string;
  /** What to do when nothing answers at the URL. */
  down: string;
}

/**
 * POST an unsigned body to the webhook. The function loads its projects configuration before it
 * checks the signature, so a 401 proves the route, the function and the configuration load in one
 * request, without storing anything.
 */
export async function probeWebhook(url: string, hints: ProbeHints, timeoutMs = 10_000): Promise<CheckResult> {
  let status: number;
  let code: string | undefined;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = res.status;
    code = errorCode(await res.text());
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
    return fail('webhook', `${url} did not answer (${cause})`, hints.down);
  }
  const answered = `${url} answered ${status}${code ? ` ${code}` : ''}`;
  if (status === 401) return pass('webhook', `${url} answers an unsigned POST with 401 (route, function and configuration load work)`);
  if (status === 403 || status === 404) {
    return fail('webhook', answered, "wrong URL or stage: use this stage's WebhookUrl output (it ends in /webhook)");
  }
  if (status >= 500) {
    return fail(
      'webhook',
      answered,
      `the function failed to load its configuration or crashed: check the config line above and ${hints.log}`,
    );
  }
  return fail('webhook', `${answered}, expected 401`, `this URL is not the datafile-sync webhook, or it is an older version; ${hints.log}`);
}

/** The handler answers `{"error":"<code>"}`; API Gateway answers `{"message":"…"}`. Codes only: no bodies echoed. */
function errorCode(body: string): string | undefined {
  try {
    const error = (JSON.parse(body) as { error?: unknown }).error;
    return typeof error === 'string' && /^[a-z_]{1,40}$/.test(error) ? error : undefined;
  } catch {
    return undefined;
  }
}
