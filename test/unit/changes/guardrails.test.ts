import { diffDatafiles } from '../../../lib/changes/diff';
import { checkGuardrails, type Guardrails, parseGuardrails } from '../../../lib/changes/guardrails';
import { ConfigError } from '../../../lib/errors';
import { buildDatafile, type FlagSpec } from '../../support/datafile-builders';

const SOURCE = 'SSM parameter /x: project 123';
const flag = (key: string, traffic = 10): FlagSpec => ({ key, rollout: [{ key: `${key}_rule`, traffic }] });
const revision = (flags: FlagSpec[]) => buildDatafile({ flags });

function check(guardrails: Guardrails, before: FlagSpec[], after: FlagSpec[], bytes = 1000) {
  const next = revision(after);
  return checkGuardrails({ guardrails, bytes, next, diff: diffDatafiles(revision(before), next) });
}

describe('parseGuardrails', () => {
  it('accepts every guardrail, and no object as none', () => {
    const raw = { requiredFlags: ['checkout'], maxBytes: 500_000, forbidFlagRemoval: true, maxTrafficIncreasePoints: 20 };
    expect(parseGuardrails(raw, SOURCE)).toEqual(raw);
    expect(parseGuardrails(undefined, SOURCE)).toEqual({});
    expect(parseGuardrails({ maxTrafficIncreasePoints: 0 }, SOURCE)).toEqual({ maxTrafficIncreasePoints: 0 });
  });

  it.each([
    [{ maxBytes: 0 }, `${SOURCE} guardrails.maxBytes must be a positive integer.`],
    [{ maxBytes: 1.5 }, `${SOURCE} guardrails.maxBytes must be a positive integer.`],
    [{ maxBytes: '100' }, `${SOURCE} guardrails.maxBytes must be a positive integer.`],
    [{ requiredFlags: 'checkout' }, `${SOURCE} guardrails.requiredFlags must be a list of flag keys.`],
    [{ requiredFlags: ['ok', ''] }, `${SOURCE} guardrails.requiredFlags must be a list of flag keys.`],
    [{ forbidFlagRemoval: 'yes' }, `${SOURCE} guardrails.forbidFlagRemoval must be true or false.`],
    [{ maxTrafficIncreasePoints: 101 }, `${SOURCE} guardrails.maxTrafficIncreasePoints must be a number from 0 to 100.`],
    [{ maxTrafficIncreasePoints: -1 }, `${SOURCE} guardrails.maxTrafficIncreasePoints must be a number from 0 to 100.`],
    [{ maxTrafficIncreasePoints: null }, `${SOURCE} guardrails.maxTrafficIncreasePoints must be a number from 0 to 100.`],
    [{ maxbytes: 10 }, `${SOURCE} guardrails.maxbytes is not a known guardrail`],
    [[], `${SOURCE} guardrails must be an object.`],
    [null, `${SOURCE} guardrails must be an object.`],
  ])('refuses %p with a ConfigError naming the field', (raw, message) => {
    let thrown: unknown;
    try {
      parseGuardrails(raw, SOURCE);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).code).toBe('invalid_config');
    expect((thrown as ConfigError).message).toContain(message);
  });
});

describe('checkGuardrails', () => {
  it('finds nothing when no guardrail is set, whatever changed', () => {
    expect(check({}, [flag('a'), flag('b')], [flag('a', 100)], 10_000_000)).toEqual([]);
  });

  it('requiredFlags: names the flags missing from the new revision', () => {
    const g = { requiredFlags: ['a', 'b', 'c'] };
    expect(check(g, [flag('a'), flag('b'), flag('c')], [flag('a'), flag('b'), flag('c')])).toEqual([]);
    expect(check(g, [flag('a'), flag('b'), flag('c')], [flag('b')])).toEqual([
      { rule: 'requiredFlags', message: 'Required flags missing: a, c.' },
    ]);
  });

  it('requiredFlags: counts v2/v3 experiment keys as flags', () => {
    const next = buildDatafile({ version: '2', experiments: [{ key: 'etag1' }] });
    const diff = diffDatafiles(next, next);
    expect(checkGuardrails({ guardrails: { requiredFlags: ['etag1'] }, bytes: 1, next, diff })).toEqual([]);
    expect(checkGuardrails({ guardrails: { requiredFlags: ['etag2'] }, bytes: 1, next, diff }).map((v) => v.rule)).toEqual([
      'requiredFlags',
    ]);
  });

  it('maxBytes: allows exactly the limit and refuses one byte more', () => {
    expect(check({ maxBytes: 1000 }, [flag('a')], [flag('a')], 1000)).toEqual([]);
    expect(check({ maxBytes: 1000 }, [flag('a')], [flag('a')], 1001)).toEqual([
      { rule: 'maxBytes', message: 'The datafile is 1001 bytes, more than the 1000 allowed.' },
    ]);
  });

  it('forbidFlagRemoval: refuses a removed flag, allows an added one', () => {
    const g = { forbidFlagRemoval: true };
    expect(check(g, [flag('a')], [flag('a'), flag('b')])).toEqual([]);
    expect(check(g, [flag('a'), flag('b')], [flag('a')])).toEqual([{ rule: 'forbidFlagRemoval', message: 'Flags removed: b.' }]);
    expect(check({ forbidFlagRemoval: false }, [flag('a'), flag('b')], [flag('a')])).toEqual([]);
  });

  it('maxTrafficIncreasePoints: refuses a ramp beyond the limit, allows one at it and any decrease', () => {
    const g = { maxTrafficIncreasePoints: 15 };
    expect(check(g, [flag('a', 10)], [flag('a', 25)])).toEqual([]);
    expect(check(g, [flag('a', 90)], [flag('a', 0)])).toEqual([]);
    expect(check(g, [flag('a', 10)], [flag('a', 30)])).toEqual([
      { rule: 'maxTrafficIncreasePoints', message: 'Traffic of flag a rule a_rule rises by 20 points, more than the 15 allowed.' },
    ]);
  });

  it('maxTrafficIncreasePoints: counts a rule added to an existing flag from 0%, not a new flag', () => {
    const g = { maxTrafficIncreasePoints: 15 };
    const withSecondRule: FlagSpec = {
      key: 'a',
      rollout: [
        { key: 'a_rule', traffic: 10 },
        { key: 'everyone', traffic: 50 },
      ],
    };
    expect(check(g, [flag('a')], [withSecondRule]).map((v) => v.message)).toEqual([
      'Traffic of flag a rule everyone rises by 50 points, more than the 15 allowed.',
    ]);
    expect(check(g, [flag('a')], [flag('a'), flag('b', 100)])).toEqual([]);
  });

  it('diffFailed: a diff that could not be computed breaks the guardrails that need it, and only those', () => {
    const next = revision([flag('a')]);
    const diff = { error: 'RangeError: Maximum call stack size exceeded' };
    expect(checkGuardrails({ guardrails: { forbidFlagRemoval: true }, bytes: 1, next, diff })).toEqual([
      {
        rule: 'diffFailed',
        message:
          'The changes from the previous revision could not be computed (RangeError: Maximum call stack size exceeded), so forbidFlagRemoval cannot be checked.',
      },
    ]);
    const both = checkGuardrails({ guardrails: { maxTrafficIncreasePoints: 0, forbidFlagRemoval: false }, bytes: 1, next, diff });
    expect(both.map((v) => v.message)).toEqual([expect.stringMatching(/, so maxTrafficIncreasePoints cannot be checked\.$/)]);
    expect(checkGuardrails({ guardrails: { requiredFlags: ['a'], maxBytes: 10, forbidFlagRemoval: false }, bytes: 1, next, diff })).toEqual(
      [],
    );
  });

  it('sdkRejected: reports the SDK verdict the caller passes', () => {
    const next = revision([flag('a')]);
    const diff = diffDatafiles(next, next);
    expect(checkGuardrails({ guardrails: {}, bytes: 1, next, diff, sdk: { ok: true } })).toEqual([]);
    expect(checkGuardrails({ guardrails: {}, bytes: 1, next, diff, sdk: { ok: false, reason: 'version 5' } })).toEqual([
      { rule: 'sdkRejected', message: 'The Optimizely SDK rejects the datafile: version 5' },
    ]);
  });
});
