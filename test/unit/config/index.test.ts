import { datafileBases } from '../../../lib/config';
import { ConfigError } from '../../../lib/errors';

describe('datafileBases', () => {
  it('falls back to Optimizely’s origin, CDN and authenticated hosts when a variable is unset or blank', () => {
    expect(datafileBases({ DATAFILE_CDN_BASE_URL: '  ' })).toEqual({
      origin: 'https://optimizely.s3.amazonaws.com',
      cdn: 'https://cdn.optimizely.com',
      auth: 'https://config.optimizely.com',
    });
  });

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
