import { addressAllowed, checkUrl, DEFAULT_ALLOWED_HOSTS, type UrlPolicy } from '../../../lib/datafile/hosts';
import { IPV4_ROWS, IPV6_ROWS } from './special-purpose-registries';

const production: UrlPolicy = { allowedHosts: DEFAULT_ALLOWED_HOSTS, allowLoopback: false };
const allowed = (url: string, policy = production) => 'url' in checkUrl(url, policy);

describe('checkUrl', () => {
  it('allows exactly the listed hosts on the default port, case-insensitively', () => {
    expect(allowed('https://cdn.optimizely.com/datafiles/k.json')).toBe(true);
    expect(allowed('https://CDN.Optimizely.COM/datafiles/k.json')).toBe(true);
    expect(allowed('https://cdn.optimizely.com:443/datafiles/k.json')).toBe(true);
    expect(allowed('https://config.optimizely.com/datafiles/k.json')).toBe(true);
  });

  it.each([
    ['a suffix', 'https://cdn.optimizely.com.evil.test/x'],
    ['a prefix', 'https://evilcdn.optimizely.com/x'],
    ['a hyphen lookalike', 'https://cdn-optimizely.com/x'],
    ['another TLD', 'https://cdn.optimizely.co/x'],
    ['a trailing dot', 'https://cdn.optimizely.com./x'],
    ['a parent domain', 'https://optimizely.com/x'],
  ])('refuses %s', (_name, url) => {
    expect(allowed(url)).toBe(false);
  });

  it('refuses other ports unless listed as host:port or host:*', () => {
    expect(allowed('https://cdn.optimizely.com:8443/x')).toBe(false);
    expect(allowed('https://cdn.optimizely.com:8443/x', { allowedHosts: ['cdn.optimizely.com:8443'], allowLoopback: false })).toBe(true);
    expect(allowed('https://cdn.optimizely.com:9/x', { allowedHosts: ['cdn.optimizely.com:*'], allowLoopback: false })).toBe(true);
    expect(allowed('https://cdn.optimizely.com/x', { allowedHosts: ['cdn.optimizely.com:8443'], allowLoopback: false })).toBe(false);
  });

  it('refuses non-https schemes, and allows http only with allowLoopback (local stack)', () => {
    for (const url of [
      'http://cdn.optimizely.com/x',
      'ftp://cdn.optimizely.com/x',
      'file:///etc/passwd',
      'data:,x',
      'javascript:alert(1)',
    ]) {
      expect([url, allowed(url)]).toEqual([url, false]);
    }
    expect(allowed('http://cdn.optimizely.com/x', { ...production, allowLoopback: true })).toBe(true);
  });

  it('refuses credentials in the URL, even for a listed host', () => {
    expect(checkUrl('https://user:pw@cdn.optimizely.com/x', production)).toEqual({ reason: 'credentials in URL' });
    expect(checkUrl('https://cdn.optimizely.com@127.0.0.1/x', production)).toEqual({ reason: 'credentials in URL' });
  });

  it.each([
    '127.0.0.1',
    '2130706433',
    '0x7f000001',
    '0177.0.0.1',
    '127.1',
    '[::1]',
    '[::ffff:127.0.0.1]',
    '[::ffff:7f00:1]',
    '169.254.169.254',
    '[fd00:ec2::254]',
  ])('refuses the IP literal %s unless it is listed', (host) => {
    expect(checkUrl(`https://${host}/x`, production)).toEqual({ reason: 'IP literal hosts are not allowed' });
  });

  it('allows a listed IP literal with its port (local stack) and no other port', () => {
    const local: UrlPolicy = { allowedHosts: ['127.0.0.1:8080'], allowLoopback: true };
    expect(allowed('http://127.0.0.1:8080/x', local)).toBe(true);
    expect(allowed('http://127.0.0.1:8081/x', local)).toBe(false);
  });

  it('answers a reason for text that is not a URL', () => {
    expect(checkUrl('not a url', production)).toEqual({ reason: 'not a valid URL' });
  });
});

describe('addressAllowed', () => {
  it.each([
    '0.0.0.0',
    '10.1.2.3',
    '100.64.0.1',
    '127.0.0.1',
    '127.255.255.254',
    '169.254.169.254',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '192.0.2.1',
    '198.18.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    'fd00:ec2::254',
    'fc00::1',
    'fe80::1',
    'ff02::1',
    '2001:db8::1',
    '::ffff:127.0.0.1',
    '::FFFF:7F00:1',
    '::ffff:a9fe:a9fe',
    '::ffff:10.0.0.1',
    '0:0:0:0:0:ffff:7f00:1',
    '0000:0000:0000:0000:0000:0000:0000:0001',
    '::127.0.0.1',
    '::ffff:0:7f00:1',
    '64:ff9b::7f00:1',
    '2002:7f00:1::',
    '2001::1',
    'not-an-ip',
    '',
  ])('refuses %s', (address) => {
    expect(addressAllowed(address, { allowLoopback: false })).toBe(false);
  });

  it.each(['8.8.8.8', '1.1.1.1', '151.101.1.1', '2606:4700::6810:84e5', '2a04:4e42::1'])('allows the public address %s', (address) => {
    expect(addressAllowed(address, { allowLoopback: false })).toBe(true);
  });

  it('allows loopback only when the policy allows it, and never other private ranges', () => {
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1'].map((a) => addressAllowed(a, { allowLoopback: true }))).toEqual([true, true, true]);
    expect(['10.0.0.1', '169.254.169.254', 'fd00::1'].map((a) => addressAllowed(a, { allowLoopback: true }))).toEqual([
      false,
      false,
      false,
    ]);
  });
});

describe('addressAllowed › the IANA special-purpose registries, row by row', () => {
  const cases = [...IPV4_ROWS, ...IPV6_ROWS].flatMap((r) => [
    [`${r.block} ${r.name} (globally reachable: ${r.globallyReachable}; refused: ${r.why}) first`, r.first] as const,
    [`${r.block} ${r.name} (globally reachable: ${r.globallyReachable}; refused: ${r.why}) last`, r.last] as const,
  ]);

  it.each(cases)('refuses %s address %s', (_row, address) => {
    expect(addressAllowed(address, { allowLoopback: false })).toBe(false);
  });

  it.each([
    ['just below 10.0.0.0/8', '9.255.255.255'],
    ['just above 10.0.0.0/8', '11.0.0.0'],
    ['just below 192.88.99.0/24', '192.88.98.255'],
    ['just above 192.88.99.0/24', '192.88.100.0'],
    ['just above 198.18.0.0/15', '198.20.0.0'],
    ['just below 224.0.0.0/4', '223.255.255.255'],
    ['a public address, IPv4-mapped', '::ffff:8.8.8.8'],
    ['just above 2001::/23', '2001:200::'],
    ['just below 2001:db8::/32', '2001:db7:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['just above 2002::/16', '2003::'],
    ['just below 3fff::/20', '3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['just above 3fff::/20', '3fff:1000::'],
    ['beside 2620:4f:8000::/48', '2620:4f:8001::'],
  ])('allows %s (%s): the guard refuses rows, not everything', (_name, address) => {
    expect(addressAllowed(address, { allowLoopback: false })).toBe(true);
  });

  it('refuses zone-scoped IPv6 addresses', () => {
    expect(addressAllowed('fe80::1%eth0', { allowLoopback: false })).toBe(false);
    expect(addressAllowed('2606:4700::1%1', { allowLoopback: false })).toBe(false);
  });
});
