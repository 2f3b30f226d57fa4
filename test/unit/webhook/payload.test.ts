import type { UrlPolicy } from '../../../lib/datafile/hosts';
import { parsePayload } from '../../../lib/webhook/payload';

const policy: UrlPolicy = { allowedHosts: ['cdn.optimizely.com', 'config.optimizely.com'], allowLoopback: false };
const valid = () => ({
  project_id: 1234,
  timestamp: 1468447113,
  event: 'project.datafile_updated',
  data: {
    revision: 15,
    origin_url: 'https://config.optimizely.com/datafiles/SDK_key-1.json',
    cdn_url: 'https://cdn.optimizely.com/datafiles/SDK_key-1.json',
    environment: 'Production',
  },
});
const parse = (doc: unknown) => parsePayload(Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc)), policy);
const code = (doc: unknown) => {
  try {
    parse(doc);
    return 'accepted';
  } catch (e) {
    return (e as { code?: string }).code;
  }
};
const withData = (data: Record<string, unknown>) => ({ ...valid(), data: { ...valid().data, ...data } });

describe('parsePayload', () => {
  it('returns the update a valid datafile_updated webhook announces', () => {
    expect(parse(valid())).toEqual({
      update: {
        projectId: '1234',
        timestamp: 1468447113,
        revision: 15,
        environment: 'Production',
        originUrl: 'https://config.optimizely.com/datafiles/SDK_key-1.json',
        cdnUrl: 'https://cdn.optimizely.com/datafiles/SDK_key-1.json',
        key: 'SDK_key-1',
      },
    });
  });

  it('reads the key of a secure environment (/datafiles/auth/{key}.json) and a legacy URL (/json/{project}.json)', () => {
    const auth = withData({
      origin_url: 'https://config.optimizely.com/datafiles/auth/Sec.json',
      cdn_url: 'https://cdn.optimizely.com/datafiles/auth/Sec.json',
    });
    const legacy = withData({
      origin_url: 'https://cdn.optimizely.com/json/1234.json',
      cdn_url: 'https://cdn.optimizely.com/json/1234.json',
    });

    expect((parse(auth) as { update: { key: string } }).update.key).toBe('Sec');
    expect((parse(legacy) as { update: { key: string } }).update.key).toBe('1234');
    expect(code({ ...legacy, project_id: 99 })).toBe('invalid_payload');
  });

  it('ignores other events, naming them (at most 100 characters)', () => {
    expect(parse({ event: 'project.updated' })).toEqual({ ignored: 'project.updated' });
    expect(parse({ event: 'e'.repeat(500) })).toEqual({ ignored: 'e'.repeat(100) });
  });

  it('treats an absent environment as none', () => {
    const { environment: _dropped, ...data } = valid().data;
    expect((parse({ ...valid(), data }) as { update: { environment?: string } }).update.environment).toBeUndefined();
  });

  it.each([
    ['not JSON', '{"event":', 'invalid_json'],
    ['an array', [], 'invalid_payload'],
    ['null', null, 'invalid_payload'],
    ['a non-string event', { ...valid(), event: 1 }, 'invalid_payload'],
    ['a missing project_id', { ...valid(), project_id: undefined }, 'invalid_payload'],
    ['a string project_id', { ...valid(), project_id: '1234' }, 'invalid_payload'],
    ['a zero project_id', { ...valid(), project_id: 0 }, 'invalid_payload'],
    ['a fractional project_id', { ...valid(), project_id: 1.5 }, 'invalid_payload'],
    ['an unsafe project_id', { ...valid(), project_id: 2 ** 53 }, 'invalid_payload'],
    ['a missing timestamp', { ...valid(), timestamp: undefined }, 'invalid_payload'],
    ['a negative timestamp', { ...valid(), timestamp: -1 }, 'invalid_payload'],
    ['missing data', { ...valid(), data: undefined }, 'invalid_payload'],
    ['array data', { ...valid(), data: [] }, 'invalid_payload'],
    ['a missing revision', withData({ revision: undefined }), 'invalid_payload'],
    ['a zero revision', withData({ revision: 0 }), 'invalid_payload'],
    ['a negative revision', withData({ revision: -3 }), 'invalid_payload'],
    ['a fractional revision', withData({ revision: 2.5 }), 'invalid_payload'],
    ['a string revision', withData({ revision: '15' }), 'invalid_payload'],
    ['a 13-digit revision (history sorts by 12 digits)', withData({ revision: 1_000_000_000_000 }), 'invalid_payload'],
    ['a numeric environment', withData({ environment: 5 }), 'invalid_payload'],
    ['a null environment', withData({ environment: null }), 'invalid_payload'],
    ['a 201-character environment', withData({ environment: 'e'.repeat(201) }), 'invalid_payload'],
    ['a missing origin_url', withData({ origin_url: undefined }), 'invalid_payload'],
    ['a numeric cdn_url', withData({ cdn_url: 7 }), 'invalid_payload'],
    ['an http origin_url', withData({ origin_url: 'http://config.optimizely.com/datafiles/SDK_key-1.json' }), 'invalid_payload'],
    ['an unlisted host', withData({ cdn_url: 'https://evil.test/datafiles/SDK_key-1.json' }), 'invalid_payload'],
    [
      'a URL over 2048 characters',
      withData({ origin_url: `https://cdn.optimizely.com/datafiles/${'k'.repeat(2040)}.json` }),
      'invalid_payload',
    ],
    ['a URL that is no datafile', withData({ origin_url: 'https://cdn.optimizely.com/other.json' }), 'invalid_payload'],
    ['URLs naming different keys', withData({ cdn_url: 'https://cdn.optimizely.com/datafiles/other.json' }), 'invalid_payload'],
  ])('refuses %s with 400 %s', (_name, doc, expected) => {
    expect(code(doc)).toBe(expected);
  });
});

describe('parsePayload › strings that are not well-formed Unicode', () => {
  // JSON.stringify writes a lone surrogate as the escape "\udXXX", exactly as an attacker would send it.
  it.each([
    ['a lone high surrogate in the environment', withData({ environment: '\ud800' })],
    ['a lone low surrogate inside the environment', withData({ environment: 'Prod\udfffuction' })],
    ['a reversed pair in the environment', withData({ environment: '\ude00\ud83d' })],
    ['a lone surrogate in the event', { ...valid(), event: 'project.datafile_updated\ud800' }],
    ['a lone surrogate in an ignored event', { event: '\ud800' }],
    ['a lone surrogate in a field nobody reads', { ...valid(), note: ['ok', { deep: '\udbff' }] }],
    ['a lone surrogate in a key', { ...valid(), data: { ...valid().data, '\ud800': 1 } }],
    ['a lone surrogate in a URL', withData({ origin_url: 'https://config.optimizely.com/datafiles/SDK_key-1.json?\ud800' })],
  ])('refuses %s with 400 invalid_payload', (_name, doc) => {
    expect(code(doc)).toBe('invalid_payload');
  });

  it('refuses a lone surrogate nested deeper than recursion could follow', () => {
    const deep = `${'{"a":'.repeat(20_000)}"\\ud800"${'}'.repeat(20_000)}`;
    expect(code(deep)).toBe('invalid_payload');
  });

  it('accepts a proper surrogate pair (an emoji) in the environment', () => {
    expect((parse(withData({ environment: 'Prod 🚀' })) as { update: { environment?: string } }).update.environment).toBe('Prod 🚀');
  });
});
