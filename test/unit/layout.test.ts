import { DEFAULT_DATAFILE_BASES, datafilePath, datafileUrls, isValidKey, keyFromDatafilePath, keyFromUrl } from '../../lib/layout';

const bases = DEFAULT_DATAFILE_BASES;

describe('keyFromUrl', () => {
  it.each([
    ['https://cdn.optimizely.com/datafiles/AbC_12-x.json', 'AbC_12-x'],
    ['https://cdn.optimizely.com/datafiles/auth/SecureKey.json', 'SecureKey'],
    ['https://cdn.optimizely.com/json/5088239376138240.json', '5088239376138240'],
    ['https://mirror.example/prefix/datafiles/key.json?x=1#y', 'key'],
    ['http://127.0.0.1:8080/cdn/datafiles/key.json', 'key'],
  ])('reads the key from %s', (url, key) => {
    expect(keyFromUrl(url)).toBe(key);
  });

  it.each([
    ['another path', 'https://cdn.optimizely.com/other/key.json'],
    ['a dotted key', 'https://cdn.optimizely.com/datafiles/a.b.json'],
    ['an encoded slash', 'https://cdn.optimizely.com/datafiles/a%2Fb.json'],
    ['a traversal', 'https://cdn.optimizely.com/datafiles/../x.json'],
    ['a non-numeric legacy id', 'https://cdn.optimizely.com/json/abc.json'],
    ['a key over 128 characters', `https://cdn.optimizely.com/datafiles/${'k'.repeat(129)}.json`],
    ['an empty key', 'https://cdn.optimizely.com/datafiles/.json'],
    ['no .json', 'https://cdn.optimizely.com/datafiles/key'],
    ['not a URL', 'datafiles/key.json'],
  ])('answers undefined for %s', (_name, url) => {
    expect(keyFromUrl(url)).toBeUndefined();
  });
});

describe('isValidKey', () => {
  it('accepts letters, digits, _ and - up to 128 characters, nothing else', () => {
    expect(['a', 'A_b-9', 'k'.repeat(128)].map(isValidKey)).toEqual([true, true, true]);
    expect(['', 'k'.repeat(129), 'a.b', 'a/b', 'a b', '../x', 'é'].map(isValidKey)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('datafileUrls', () => {
  it('asks the origin first, then the CDN, for an SDK key', () => {
    expect(datafileUrls('AbC_12-x', bases, false)).toEqual([
      'https://optimizely.s3.amazonaws.com/datafiles/AbC_12-x.json',
      'https://cdn.optimizely.com/datafiles/AbC_12-x.json',
    ]);
  });

  it('asks only the authenticated URL for a secure environment', () => {
    expect(datafileUrls('AbC', bases, true)).toEqual(['https://config.optimizely.com/datafiles/auth/AbC.json']);
  });

  it('uses the legacy /json/{id}.json path for a numeric key', () => {
    expect(datafileUrls('1234', bases, false)).toEqual([
      'https://optimizely.s3.amazonaws.com/json/1234.json',
      'https://cdn.optimizely.com/json/1234.json',
    ]);
  });
});

describe('keyFromDatafilePath', () => {
  it('accepts exactly /datafiles/{valid key}.json', () => {
    expect(keyFromDatafilePath('/datafiles/Abc_123-x.json')).toBe('Abc_123-x');
    for (const path of ['/datafiles/auth/k.json', '/json/123.json', '/datafiles/k.json/', '/datafiles/a.b.json', '/x/datafiles/k.json']) {
      expect(keyFromDatafilePath(path)).toBeUndefined();
    }
    expect(keyFromDatafilePath(`/datafiles/${'k'.repeat(129)}.json`)).toBeUndefined();
  });

  it('reads back the key of datafilePath', () => {
    expect(keyFromDatafilePath(datafilePath('sdk_Key-1'))).toBe('sdk_Key-1');
  });
});
