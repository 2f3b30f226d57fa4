import { parseProjectsConfig } from '../../lib/webhook/projects';

const config = (accessTokens: unknown) => JSON.stringify({ projects: { '1234': { secrets: ['secret-12345678'], accessTokens } } });
const code = (json: string) => {
  try {
    parseProjectsConfig(json, 'TEST');
    return 'accepted';
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

describe('parseProjectsConfig › access tokens', () => {
  it('accepts tokens of visible ASCII', () => {
    expect(code(config({ sdk_key: 'tok-AZaz09._~+/=' }))).toBe('accepted');
  });

  it.each([
    ['empty', ''],
    ['with a newline (header injection)', 'tok\r\nX-Evil: 1'],
    ['with a space', 'tok en'],
    ['non-ASCII', 'tökén'],
    ['not a string', 5],
  ])('refuses a token that is %s at load time, not at the first fetch', (_name, token) => {
    expect(code(config({ sdk_key: token }))).toBe('invalid_config');
  });
});
