import { parseProjectsConfig } from '../../../lib/config';

const config = (accessTokens: unknown) => JSON.stringify({ projects: { '1234': { secrets: ['secret-12345678'], accessTokens } } });
const withGuardrails = (guardrails: unknown) => JSON.stringify({ projects: { '123': { secrets: ['a-long-secret'], guardrails } } });
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

describe('parseProjectsConfig › access tokens by SDK key', () => {
  const tokensOf = (accessTokens: object) =>
    (parseProjectsConfig(config(accessTokens), 'TEST').get('1234') as { accessTokens: ReadonlyMap<string, string> }).accessTokens;

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])(
    'finds no token for the SDK key %s unless one is configured',
    (key) => {
      expect(tokensOf({ sdk_key: 'tok-1' }).get(key)).toBeUndefined();
    },
  );

  it('finds a token configured under a key named like an Object.prototype member', () => {
    // JSON.parse makes "__proto__" an own property, so it is a key like any other.
    const tokens = parseProjectsConfig(
      '{"projects":{"1234":{"secrets":["secret-12345678"],"accessTokens":{"__proto__":"tok-proto","constructor":"tok-ctor"}}}}',
      'TEST',
    ).get('1234')?.accessTokens;
    expect([tokens?.get('__proto__'), tokens?.get('constructor'), tokens?.get('toString')]).toEqual(['tok-proto', 'tok-ctor', undefined]);
  });
});

describe('parseProjectsConfig › guardrails', () => {
  it('keeps a project’s guardrails', () => {
    const config = parseProjectsConfig(
      withGuardrails({ requiredFlags: ['checkout'], maxBytes: 1000, forbidFlagRemoval: true, maxTrafficIncreasePoints: 20 }),
      'SYNC_PROJECTS',
    );

    expect(config.get('123')?.guardrails).toEqual({
      requiredFlags: ['checkout'],
      maxBytes: 1000,
      forbidFlagRemoval: true,
      maxTrafficIncreasePoints: 20,
    });
  });

  it.each([
    [{ maxBytes: -1 }, 'SYNC_PROJECTS: project 123 guardrails.maxBytes must be a positive integer.'],
    [{ maxTrafficIncreasePoints: 120 }, 'SYNC_PROJECTS: project 123 guardrails.maxTrafficIncreasePoints must be a number from 0 to 100.'],
    [{ requiredFlag: ['x'] }, 'SYNC_PROJECTS: project 123 guardrails.requiredFlag is not a known guardrail'],
    ['strict', 'SYNC_PROJECTS: project 123 guardrails must be an object.'],
  ])('refuses %j at load, naming the field', (guardrails, message) => {
    expect(() => parseProjectsConfig(withGuardrails(guardrails), 'SYNC_PROJECTS')).toThrow(
      expect.objectContaining({ code: 'invalid_config', message: expect.stringContaining(message) }),
    );
  });

  it('leaves guardrails out when none are configured', () => {
    expect(parseProjectsConfig(withGuardrails(undefined), 'x').get('123')).not.toHaveProperty('guardrails');
  });
});
