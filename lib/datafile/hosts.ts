import { isIP } from 'node:net';

/**
 * Where datafiles may be fetched from. `allowedHosts` entries are `host` (default port only),
 * `host:port`, or `host:*`; matching is exact (no suffix or lookalike matching). IP literals are
 * refused unless listed literally. `allowLoopback` is for the local stack and tests only: it permits
 * `http:` and connections to loopback addresses for listed hosts.
 */
export interface UrlPolicy {
  allowedHosts: readonly string[];
  allowLoopback: boolean;
}

export const DEFAULT_ALLOWED_HOSTS: readonly string[] = ['cdn.optimizely.com', 'optimizely.s3.amazonaws.com', 'config.optimizely.com'];

/** Returns the parsed URL if policy allows requesting it, or a reason it does not. */
export function checkUrl(raw: string, policy: UrlPolicy): { url: URL } | { reason: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { reason: 'not a valid URL' };
  }
  if (url.username || url.password) return { reason: 'credentials in URL' };
  const httpOk = url.protocol === 'http:' && policy.allowLoopback;
  if (url.protocol !== 'https:' && !httpOk) return { reason: `scheme ${url.protocol} not allowed` };
  const host = url.hostname.toLowerCase();
  const candidates = url.port === '' ? [host] : [`${host}:${url.port}`, `${host}:*`];
  const listed = policy.allowedHosts.some((entry) => candidates.includes(entry.toLowerCase()));
  if (!listed) {
    if (isIP(stripBrackets(host))) return { reason: 'IP literal hosts are not allowed' };
    return { reason: url.port === '' ? `host ${host} is not allowed` : `host ${host}:${url.port} is not allowed` };
  }
  return { url };
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/*
 * The address guard. Every row of the IANA IPv4 and IPv6 Special-Purpose Address Registries is
 * refused, including the few rows marked "globally reachable" (anycast services such as AS112, PCP,
 * TURN, AMT): no datafile host lives there, and refusing a whole registry is easier to check than
 * carving out exceptions. test/unit/datafile/hosts.test.ts lists every row with its decision.
 */
const V4_REFUSED = [
  '0.0.0.0/8', // "this network"
  '10.0.0.0/8',
  '100.64.0.0/10', // shared address space (carrier-grade NAT)
  '127.0.0.0/8',
  '169.254.0.0/16', // link local, cloud metadata
  '172.16.0.0/12',
  '192.0.0.0/24', // IETF protocol assignments (covers the /29 and /32 rows inside it)
  '192.0.2.0/24',
  '192.31.196.0/24', // AS112-v4
  '192.52.193.0/24', // AMT
  '192.88.99.0/24', // deprecated 6to4 relay anycast
  '192.168.0.0/16',
  '192.175.48.0/24', // AS112 direct delegation
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4', // multicast (not in the special-purpose registry, never a datafile host)
  '240.0.0.0/4', // reserved, and the limited broadcast 255.255.255.255 inside it
].map((c) => cidr(c, 32));

/**
 * IPv6 is allowed only inside global unicast 2000::/3, so everything outside it is refused by
 * construction: ::/128, ::1, IPv4-compatible ::/96, NAT64 64:ff9b::/96 and 64:ff9b:1::/48,
 * discard 100::/64 and 100:0:0:1::/64, SRv6 5f00::/16, unique local fc00::/7, link local fe80::/10,
 * deprecated site local fec0::/10 and multicast ff00::/8. Within 2000::/3 these rows are refused:
 */
const V6_GLOBAL_UNICAST = cidr('2000::/3', 128);
const V6_REFUSED = [
  '2001::/23', // IETF protocol assignments: Teredo, benchmarking, ORCHID, AMT, AS112, DRIP, anycast /128s
  '2001:db8::/32', // documentation
  '2002::/16', // 6to4: embeds an IPv4 address
  '2620:4f:8000::/48', // AS112 direct delegation
  '3fff::/20', // documentation
].map((c) => cidr(c, 128));

interface Range {
  first: bigint;
  last: bigint;
}

function cidr(text: string, bits: 32 | 128): Range {
  const [net = '', prefix = ''] = text.split('/');
  const base = bits === 32 ? v4Value(net) : v6Value(net);
  if (base === undefined) throw new Error(`bad range ${text}`);
  const size = 1n << BigInt(bits - Number(prefix));
  const first = base - (base % size);
  return { first, last: first + size - 1n };
}

function v4Value(address: string): bigint | undefined {
  if (isIP(address) !== 4) return undefined;
  return address.split('.').reduce((acc, octet) => (acc << 8n) + BigInt(Number(octet)), 0n);
}

/** The 128-bit value of an IPv6 address, via the WHATWG URL parser's canonical form (no zone ids). */
function v6Value(address: string): bigint | undefined {
  let host: string;
  try {
    host = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const [head = '', tail] = host.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  if (groups.length !== 8) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(Number.parseInt(g, 16)), 0n);
}

const within = (value: bigint, ranges: readonly Range[]) => ranges.some((r) => value >= r.first && value <= r.last);
const MAPPED = cidr('::ffff:0:0/96', 128);
const V4_LOOPBACK = [cidr('127.0.0.0/8', 32)];
const V6_LOOPBACK = 1n;

/** True when a resolved address may be connected to: public, or loopback when the policy allows it. */
export function addressAllowed(address: string, policy: Pick<UrlPolicy, 'allowLoopback'>): boolean {
  const family = isIP(address);
  if (family === 4) return v4Allowed(v4Value(address), policy.allowLoopback);
  if (family !== 6) return false;
  const value = v6Value(address);
  if (value === undefined) return false;
  // IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is what a dual-stack socket dials as a.b.c.d: judge that.
  if (within(value, [MAPPED])) return v4Allowed(value - MAPPED.first, policy.allowLoopback);
  if (value === V6_LOOPBACK) return policy.allowLoopback;
  return within(value, [V6_GLOBAL_UNICAST]) && !within(value, V6_REFUSED);
}

function v4Allowed(value: bigint | undefined, allowLoopback: boolean): boolean {
  if (value === undefined) return false;
  if (allowLoopback && within(value, V4_LOOPBACK)) return true;
  return !within(value, V4_REFUSED);
}
