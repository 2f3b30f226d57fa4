import { datafileBases } from '../../../lib/config';
import { ConfigError } from '../../../lib/errors';
import { datafileUrls } from '../../../lib/sync/sync-key';

const bases = datafileBases({});

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

describe('datafileBases', () => {
  it('takes configured base URLs without a trailing slash', () => {
    expect(
      datafileBases({ DATAFILE_ORIGIN_BASE_URL: 'http://127.0.0.1:9/', DATAFILE_CDN_BASE_URL: 'http://127.0.0.1:9/cdn' }),
    ).toMatchObject({
      origin: 'http://127.0.0.1:9',
      cdn: 'http://127.0.0.1:9/cdn',
      auth: 'https://config.optimizely.com',
    });
  });

  it('refuses a base URL that is not http(s), naming the variable', () => {
    expect(() => datafileBases({ DATAFILE_AUTH_BASE_URL: 'ftp://x' })).toThrow(
      new ConfigError('DATAFILE_AUTH_BASE_URL must be an http(s) URL, got "ftp://x".'),
    );
  });
});
