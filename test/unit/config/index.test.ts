import { datafileBases, hasAccessToken, loadRollbackConfig, parseProjectsConfig } from '../../../lib/config';
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

describe('loadRollbackConfig', () => {
  const base = { DATAFILE_TABLE: 't', DATAFILE_BUCKET: 'b' };

  it('reads the projects configuration with the mirror on: it names the secure keys the mirror must drop', () => {
    const config = loadRollbackConfig({ ...base, MIRROR_ENABLED: 'true', SYNC_CONFIG_PARAMETER: '/p/config' });

    expect(config.projects).toEqual({ kind: 'ssm', parameter: '/p/config', ttlMs: 300_000 });
  });

  it('refuses the mirror without a projects configuration, and needs none without the mirror', () => {
    expect(() => loadRollbackConfig({ ...base, MIRROR_ENABLED: 'true' })).toThrow(ConfigError);
    expect(loadRollbackConfig({ ...base, SYNC_CONFIG_PARAMETER: '/p/config' }).projects).toBeUndefined();
  });
});

describe('hasAccessToken', () => {
  it('finds a key’s token in any project, and only its own key', () => {
    const config = parseProjectsConfig(
      JSON.stringify({
        projects: {
          '1': { secrets: ['secret-one-1234'] },
          '2': { secrets: ['secret-two-1234'], accessTokens: { secure_key: 'token-abcdefghij' } },
        },
      }),
      'test',
    );

    expect(['secure_key', 'sdk_key', 'constructor'].map((k) => hasAccessToken(config, k))).toEqual([true, false, false]);
  });
});
