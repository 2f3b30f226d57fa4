import { BlockList, isIP } from 'node:net';

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

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
// IPv6 forms that embed an IPv4 address (compatible, translated, NAT64, 6to4, Teredo) are refused
// whole: each could carry 127.0.0.1 or 169.254.169.254 past a check that only knows the mapped form.
for (const [net, prefix] of [
  ['::', 96],
  ['::ffff:0:0:0', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['2001::', 32],
  ['2002::', 16],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is judged as the IPv4 address it carries. */
function unmap(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return { address: mapped[1], family: 'ipv4' };
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hexMapped?.[1] && hexMapped[2]) {
    const hi = Number.parseInt(hexMapped[1], 16);
    const lo = Number.parseInt(hexMapped[2], 16);
    return { address: `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, family: 'ipv4' };
  }
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/** True when a resolved address may be connected to: public, or loopback when the policy allows it. */
export function addressAllowed(address: string, policy: Pick<UrlPolicy, 'allowLoopback'>): boolean {
  const { address: a, family } = unmap(address);
  if (isIP(a) === 0) return false;
  if (policy.allowLoopback && loopback.check(a, family)) return true;
  return !blocked.check(a, family);
}
