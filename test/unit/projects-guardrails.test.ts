import { parseProjectsConfig } from '../../lib/config';

const doc = (guardrails: unknown) => JSON.stringify({ projects: { '123': { secrets: ['a-long-secret'], guardrails } } });

describe('parseProjectsConfig guardrails', () => {
  it('keeps a project’s guardrails', () => {
    const config = parseProjectsConfig(
      doc({ requiredFlags: ['checkout'], maxBytes: 1000, forbidFlagRemoval: true, maxTrafficIncreasePoints: 20 }),
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
    expect(() => parseProjectsConfig(doc(guardrails), 'SYNC_PROJECTS')).toThrow(
      expect.objectContaining({ code: 'invalid_config', message: expect.stringContaining(message) }),
    );
  });

  it('leaves guardrails out when none are configured', () => {
    expect(parseProjectsConfig(doc(undefined), 'x').get('123')).not.toHaveProperty('guardrails');
  });
});
