/*
 * Every row of the IANA IPv4 and IPv6 Special-Purpose Address Registries (iana-ipv4-special-registry,
 * iana-ipv6-special-registry), with its "Globally Reachable" column as published, plus the ranges
 * the registries leave out but a fetch must never reach (multicast, deprecated site-local IPv6).
 * `first` and `last` are written out by hand, not computed, so the test does not share arithmetic
 * with the guard it checks.
 *
 * Decision: every row is refused. The rows marked globally reachable are anycast services (PCP,
 * TURN, AS112, AMT, DNS-SD SRP, DRIP) or identifier space (ORCHIDv2) or NAT64 (which can carry any
 * IPv4 address, private ones included): no Optimizely datafile host lives in any of them, so
 * refusing them costs nothing and keeps the rule simple — "not in a special-purpose block".
 */
export interface RegistryRow {
  block: string;
  name: string;
  /** The registry's "Globally Reachable" column (N/A for deprecated rows and rows outside the registries). */
  globallyReachable: 'True' | 'False' | 'N/A';
  first: string;
  last: string;
  why: string;
}

const row = (
  block: string,
  name: string,
  globallyReachable: RegistryRow['globallyReachable'],
  first: string,
  last: string,
  why: string,
) => ({
  block,
  name,
  globallyReachable,
  first,
  last,
  why,
});

const notReachable = 'not globally reachable';
const anycast = 'globally reachable anycast service, never a datafile host';

export const IPV4_ROWS: readonly RegistryRow[] = [
  row('0.0.0.0/8', '"This network"', 'False', '0.0.0.0', '0.255.255.255', notReachable),
  row('0.0.0.0/32', '"This host on this network"', 'False', '0.0.0.0', '0.0.0.0', notReachable),
  row('10.0.0.0/8', 'Private-Use', 'False', '10.0.0.0', '10.255.255.255', notReachable),
  row('100.64.0.0/10', 'Shared Address Space', 'False', '100.64.0.0', '100.127.255.255', notReachable),
  row('127.0.0.0/8', 'Loopback', 'False', '127.0.0.0', '127.255.255.255', notReachable),
  row('169.254.0.0/16', 'Link Local', 'False', '169.254.0.0', '169.254.255.255', `${notReachable} (cloud metadata lives here)`),
  row('172.16.0.0/12', 'Private-Use', 'False', '172.16.0.0', '172.31.255.255', notReachable),
  row('192.0.0.0/24', 'IETF Protocol Assignments', 'False', '192.0.0.0', '192.0.0.255', notReachable),
  row('192.0.0.0/29', 'IPv4 Service Continuity Prefix', 'False', '192.0.0.0', '192.0.0.7', notReachable),
  row('192.0.0.8/32', 'IPv4 dummy address', 'False', '192.0.0.8', '192.0.0.8', notReachable),
  row('192.0.0.9/32', 'Port Control Protocol Anycast', 'True', '192.0.0.9', '192.0.0.9', anycast),
  row('192.0.0.10/32', 'Traversal Using Relays around NAT Anycast', 'True', '192.0.0.10', '192.0.0.10', anycast),
  row('192.0.0.170/32', 'NAT64/DNS64 Discovery', 'False', '192.0.0.170', '192.0.0.170', notReachable),
  row('192.0.0.171/32', 'NAT64/DNS64 Discovery', 'False', '192.0.0.171', '192.0.0.171', notReachable),
  row('192.0.2.0/24', 'Documentation (TEST-NET-1)', 'False', '192.0.2.0', '192.0.2.255', notReachable),
  row('192.31.196.0/24', 'AS112-v4', 'True', '192.31.196.0', '192.31.196.255', anycast),
  row('192.52.193.0/24', 'AMT', 'True', '192.52.193.0', '192.52.193.255', anycast),
  row('192.88.99.0/24', 'Deprecated (6to4 Relay Anycast)', 'N/A', '192.88.99.0', '192.88.99.255', 'deprecated anycast relay'),
  row('192.168.0.0/16', 'Private-Use', 'False', '192.168.0.0', '192.168.255.255', notReachable),
  row('192.175.48.0/24', 'Direct Delegation AS112 Service', 'True', '192.175.48.0', '192.175.48.255', anycast),
  row('198.18.0.0/15', 'Benchmarking', 'False', '198.18.0.0', '198.19.255.255', notReachable),
  row('198.51.100.0/24', 'Documentation (TEST-NET-2)', 'False', '198.51.100.0', '198.51.100.255', notReachable),
  row('203.0.113.0/24', 'Documentation (TEST-NET-3)', 'False', '203.0.113.0', '203.0.113.255', notReachable),
  row('240.0.0.0/4', 'Reserved', 'False', '240.0.0.0', '255.255.255.255', notReachable),
  row('255.255.255.255/32', 'Limited Broadcast', 'False', '255.255.255.255', '255.255.255.255', notReachable),
  row('224.0.0.0/4', 'Multicast (not in the registry)', 'N/A', '224.0.0.0', '239.255.255.255', 'multicast is never a unicast HTTP peer'),
];

const F = 'ffff:ffff:ffff:ffff:ffff';
export const IPV6_ROWS: readonly RegistryRow[] = [
  row('::1/128', 'Loopback Address', 'False', '::1', '::1', notReachable),
  row('::/128', 'Unspecified Address', 'False', '::', '::', notReachable),
  row('::ffff:0:0/96', 'IPv4-mapped Address', 'False', '::ffff:0.0.0.0', '::ffff:255.255.255.255', 'judged as the IPv4 address it carries'),
  row(
    '64:ff9b::/96',
    'IPv4-IPv6 Translat.',
    'True',
    '64:ff9b::',
    '64:ff9b::ffff:ffff',
    'NAT64 can carry any IPv4 address, private ones too',
  ),
  row('64:ff9b:1::/48', 'IPv4-IPv6 Translat.', 'False', '64:ff9b:1::', `64:ff9b:1:${F}`, notReachable),
  row('100::/64', 'Discard-Only Address Block', 'False', '100::', '100::ffff:ffff:ffff:ffff', notReachable),
  row('100:0:0:1::/64', 'Dummy IPv6 Prefix', 'False', '100:0:0:1::', '100:0:0:1:ffff:ffff:ffff:ffff', notReachable),
  row('2001::/23', 'IETF Protocol Assignments', 'False', '2001::', `2001:1ff:ffff:${F}`, notReachable),
  row('2001::/32', 'TEREDO', 'N/A', '2001::', `2001:0:ffff:${F}`, 'tunnel: embeds an IPv4 address'),
  row('2001:1::1/128', 'Port Control Protocol Anycast', 'True', '2001:1::1', '2001:1::1', anycast),
  row('2001:1::2/128', 'Traversal Using Relays around NAT Anycast', 'True', '2001:1::2', '2001:1::2', anycast),
  row('2001:1::3/128', 'DNS-SD Service Registration Protocol Anycast', 'True', '2001:1::3', '2001:1::3', anycast),
  row('2001:2::/48', 'Benchmarking', 'False', '2001:2::', `2001:2:0:${F}`, notReachable),
  row('2001:3::/32', 'AMT', 'True', '2001:3::', `2001:3:ffff:${F}`, anycast),
  row('2001:4:112::/48', 'AS112-v6', 'True', '2001:4:112::', `2001:4:112:${F}`, anycast),
  row('2001:10::/28', 'Deprecated (previously ORCHID)', 'False', '2001:10::', `2001:1f:ffff:${F}`, notReachable),
  row('2001:20::/28', 'ORCHIDv2', 'True', '2001:20::', `2001:2f:ffff:${F}`, 'identifiers, not locators: nothing to connect to'),
  row(
    '2001:30::/28',
    'Drone Remote ID Protocol Entity Tags (DETs) Prefix',
    'True',
    '2001:30::',
    `2001:3f:ffff:${F}`,
    'identifiers, not locators',
  ),
  row('2001:db8::/32', 'Documentation', 'False', '2001:db8::', `2001:db8:ffff:${F}`, notReachable),
  row('2002::/16', '6to4', 'N/A', '2002::', `2002:ffff:ffff:${F}`, 'tunnel: embeds an IPv4 address'),
  row('2620:4f:8000::/48', 'Direct Delegation AS112 Service', 'True', '2620:4f:8000::', `2620:4f:8000:${F}`, anycast),
  row('3fff::/20', 'Documentation', 'False', '3fff::', `3fff:fff:ffff:${F}`, notReachable),
  row('5f00::/16', 'Segment Routing (SRv6) SIDs', 'False', '5f00::', `5f00:ffff:ffff:${F}`, notReachable),
  row('fc00::/7', 'Unique-Local', 'False', 'fc00::', `fdff:ffff:ffff:${F}`, notReachable),
  row('fe80::/10', 'Link-Local Unicast', 'False', 'fe80::', `febf:ffff:ffff:${F}`, notReachable),
  row('fec0::/10', 'Site-Local (deprecated, not in the registry)', 'N/A', 'fec0::', `feff:ffff:ffff:${F}`, 'deprecated private scope'),
  row('ff00::/8', 'Multicast (not in the registry)', 'N/A', 'ff00::', `ffff:ffff:ffff:${F}`, 'multicast is never a unicast HTTP peer'),
];
