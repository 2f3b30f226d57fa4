import { iamCallsFor } from './iam-actions';

export { ACCOUNT, arn, REGION } from './iam-actions';

/**
 * One authorisation AWS performs for a request: the IAM action, the resource ARN it is evaluated
 * on, and any request context keys a policy condition could test (`s3:prefix`). One SDK command
 * can need several (CopyObject reads its source and writes its target; a transaction authorises
 * each of its items).
 */
export interface AwsCall {
  /** The function whose clients made it (`webhook`, `reconcile`, `reader`, ...). */
  caller: string;
  service: 's3' | 'dynamodb' | 'ssm' | 'events';
  /** The SDK command, e.g. `CopyObjectCommand`. */
  command: string;
  action: string;
  resource: string;
  context: Record<string, string>;
}

interface MiddlewareContext {
  clientName?: string;
  commandName?: string;
}

type Next = (args: { input: unknown }) => Promise<unknown>;

interface RecordableClient {
  middlewareStack: {
    add(middleware: (next: Next, context: MiddlewareContext) => Next, options: { step: 'initialize'; name: string }): void;
  };
}

/**
 * Records, in `calls`, the IAM authorisations of every command `client` sends, attributed to
 * `caller`. The request still goes to the (local) server: this observes, it does not fake. The
 * answer matters for one case only: an object read that finds nothing is answered 404 only when
 * the caller may also `s3:ListBucket` (otherwise S3 says 403), so a not-found read records that too.
 * A command with no known mapping fails the request, so new code cannot slip past the simulation.
 */
export function recordAwsCalls<T extends object>(client: T, caller: string, calls: AwsCall[]): T {
  (client as unknown as RecordableClient).middlewareStack.add(
    (next, context) => async (args) => {
      const record = (error?: unknown) => {
        calls.push(...iamCallsFor(context.clientName ?? '', context.commandName ?? '', args.input, error).map((c) => ({ caller, ...c })));
      };
      let out: unknown;
      try {
        out = await next(args);
      } catch (error) {
        record(error);
        throw error;
      }
      record();
      return out;
    },
    { step: 'initialize', name: `recordAwsCalls-${caller}` },
  );
  return client;
}

/** The distinct (action, resource, context) authorisations of one caller, in a stable order. */
export function distinctCalls(calls: AwsCall[], caller: string): AwsCall[] {
  const seen = new Map<string, AwsCall>();
  for (const c of calls.filter((x) => x.caller === caller)) {
    seen.set(JSON.stringify([c.action, c.resource, c.context]), c);
  }
  return [...seen.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, c]) => c);
}
