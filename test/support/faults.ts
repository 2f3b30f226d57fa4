/**
 * Fault injection for the AWS clients: a Proxy over a real client's `send` that fails chosen
 * commands and passes everything else to the real local server. Used only for failures a real
 * server cannot produce on demand (a write that fails, or a process that dies right after one).
 */

/** A command class, matched by `instanceof` (e.g. `PutObjectCommand`). */
// biome-ignore lint/suspicious/noExplicitAny: command classes have differing constructor signatures
type CommandClass = abstract new (...args: any[]) => object;

export interface FaultRule {
  command: CommandClass;
  /**
   * `before`: the command never reaches the server (the write fails).
   * `after`: the server applies it, then the caller sees an error (a crash between two steps).
   */
  when: 'before' | 'after';
  /** Which matching calls fail, counting from 1: a number, `all`, or a predicate (seeded chaos). Default 1. */
  nth?: number | 'all' | ((n: number) => boolean);
  /** What is thrown; default an AWS-looking 500. */
  error?: () => Error;
}

export interface FaultyClient<C> {
  client: C;
  /** How many times a rule fired. */
  fired(): number;
  /** Stop injecting: every later call goes straight to the server. */
  heal(): void;
}

/** An AWS SDK service error as the SDK would raise it (name + 500 metadata). */
export function awsError(name = 'InternalError'): Error {
  return Object.assign(new Error(`injected ${name}`), { name, $fault: 'server', $metadata: { httpStatusCode: 500 } });
}

/** Not an AWS error at all: the process "crashed" at this boundary. */
export function crash(): Error {
  return new TypeError('injected crash between two steps');
}

export function withFaults<C extends { send: (...args: never[]) => Promise<unknown> }>(client: C, rules: FaultRule[]): FaultyClient<C> {
  const seen = new Map<FaultRule, number>();
  let fired = 0;
  let healed = false;
  const fault = (rule: FaultRule | undefined) => {
    if (!rule) return undefined;
    fired++;
    return (rule.error ?? (() => awsError()))();
  };
  const send = async (command: object, ...rest: unknown[]): Promise<unknown> => {
    let hit: FaultRule | undefined;
    if (!healed) {
      for (const rule of rules) {
        if (!(command instanceof rule.command)) continue;
        const n = (seen.get(rule) ?? 0) + 1;
        seen.set(rule, n);
        const nth = rule.nth ?? 1;
        if (nth === 'all' || (typeof nth === 'function' ? nth(n) : n === nth)) hit = rule;
      }
    }
    if (hit?.when === 'before') throw fault(hit);
    const real = client.send as unknown as (c: object, ...r: unknown[]) => Promise<unknown>;
    const out = await real.call(client, command, ...rest);
    if (hit?.when === 'after') throw fault(hit);
    return out;
  };
  const proxy = new Proxy(client, { get: (target, prop, receiver) => (prop === 'send' ? send : Reflect.get(target, prop, receiver)) });
  return {
    client: proxy,
    fired: () => fired,
    heal: () => {
      healed = true;
    },
  };
}

/** A seeded uniform random source in [0, 1), so a chaotic run can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
