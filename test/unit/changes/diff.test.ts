import fc from 'fast-check';
import { diffDatafiles } from '../../../lib/changes/diff';
import { formatDiff } from '../../../lib/changes/format';
import { list, rec, stable } from '../../../lib/changes/read';
import { oneLine, summarize } from '../../../lib/changes/summary';
import { buildDatafile, type DatafileSpec, type FlagSpec } from '../../support/datafile-builders';

const checkout = (over: Partial<FlagSpec> = {}): FlagSpec => ({
  key: 'checkout',
  variables: { color: 'red' },
  experiments: [
    {
      key: 'exp_1',
      traffic: 10,
      variations: [
        { key: 'on', featureEnabled: true, variables: { color: 'red' } },
        { key: 'off', featureEnabled: false, variables: { color: 'red' } },
      ],
    },
  ],
  rollout: [{ key: 'beta', traffic: 100, audienceConditions: ['or', '7'] }, { key: 'everyone' }],
  ...over,
});
const v4 = (spec: DatafileSpec = {}, revision = 1) =>
  buildDatafile({ flags: [checkout()], attributes: ['plan'], events: ['buy'], revision, ...spec });
const kinds = (previous: unknown, next: unknown) => diffDatafiles(previous, next).changes.map((c) => c.kind);

describe('diffDatafiles on v4 datafiles', () => {
  it('reports nothing for the same datafile with another revision and another key order', () => {
    // Arrange
    const a = v4();
    const b = Object.fromEntries(Object.entries(v4({}, 2)).reverse());
    // Act
    const diff = diffDatafiles(a, b);
    // Assert
    expect(diff).toEqual({ initial: false, revisions: { previous: '1', next: '2' }, changes: [] });
  });

  it('reports flags added and removed by key', () => {
    const diff = diffDatafiles(v4({ flags: [checkout(), { key: 'old' }] }), v4({ flags: [checkout(), { key: 'new_checkout' }] }));
    expect(diff.changes).toEqual([
      { kind: 'flag_added', entity: 'flag', key: 'new_checkout' },
      { kind: 'flag_removed', entity: 'flag', key: 'old' },
    ]);
    expect(formatDiff(diff)).toEqual(['+ flag new_checkout', '- flag old']);
  });

  it('reports a traffic ramp from 10% to 25% as +15 points', () => {
    const ramped = checkout({ experiments: [{ ...(checkout().experiments?.[0] ?? { key: '' }), traffic: 25 }] });
    const diff = diffDatafiles(v4(), v4({ flags: [ramped] }));
    expect(diff.changes).toEqual([
      { kind: 'traffic_changed', entity: 'rule', flag: 'checkout', key: 'exp_1', from: 10, to: 25, deltaPoints: 15 },
    ]);
    expect(formatDiff(diff)).toEqual(['~ flag checkout › rule exp_1 traffic 10% → 25% (+15pp)']);
  });

  it('reports a new split between variations with the same total as an allocation change', () => {
    const split = checkout({ experiments: [{ ...(checkout().experiments?.[0] ?? { key: '' }), split: [2, 8] }] });
    const diff = diffDatafiles(v4(), v4({ flags: [split] }));
    expect(diff.changes).toEqual([
      { kind: 'allocation_changed', entity: 'rule', flag: 'checkout', key: 'exp_1', from: 'on 5%, off 5%', to: 'on 2%, off 8%' },
    ]);
  });

  it('names the variation ids that moved when a split keeps its names and shares', () => {
    const next = v4();
    const exp = list(next.experiments).find((e) => e.key === 'exp_1');
    const on = list(exp?.variations).find((v) => v.key === 'on');
    const range = list(exp?.trafficAllocation).find((r) => r.entityId === on?.id);
    if (!on || !range) throw new Error('exp_1 has no `on` variation');
    const was = on.id;
    [on.id, range.entityId] = ['999', '999'];

    const diff = diffDatafiles(v4(), next);

    expect(diff.changes).toEqual([
      expect.objectContaining({ kind: 'allocation_changed', from: `on (id ${was}) 5%, off 5%`, to: 'on (id 999) 5%, off 5%' }),
      expect.objectContaining({ kind: 'other', fields: ['variations[on].id'] }),
    ]);
    expect(formatDiff(diff)[0]).toBe(`~ flag checkout › rule exp_1 split on (id ${was}) 5%, off 5% → on (id 999) 5%, off 5%`);
  });

  it('reports rules added, removed and reordered', () => {
    const reordered = checkout({ rollout: [{ key: 'everyone' }, { key: 'beta', traffic: 100, audienceConditions: ['or', '7'] }] });
    expect(diffDatafiles(v4(), v4({ flags: [reordered] })).changes).toEqual([
      { kind: 'rules_reordered', entity: 'flag', key: 'checkout', from: ['exp_1', 'beta', 'everyone'], to: ['exp_1', 'everyone', 'beta'] },
    ]);
    const grown = checkout({ rollout: [...(checkout().rollout ?? []), { key: 'staff', traffic: 40 }] });
    expect(diffDatafiles(v4(), v4({ flags: [grown] })).changes).toEqual([
      { kind: 'rule_added', entity: 'rule', flag: 'checkout', key: 'staff', traffic: 40 },
    ]);
    expect(kinds(v4({ flags: [grown] }), v4())).toEqual(['rule_removed']);
  });

  it('reports a variation variable value and a flag default by variable key', () => {
    const blue = checkout({
      variables: { color: 'green' },
      experiments: [
        {
          key: 'exp_1',
          traffic: 10,
          variations: [
            { key: 'on', featureEnabled: true, variables: { color: 'blue' } },
            { key: 'off', variables: { color: 'red' } },
          ],
        },
      ],
    });
    const diff = diffDatafiles(v4(), v4({ flags: [blue] }));
    expect(diff.changes).toEqual([
      {
        kind: 'variable_changed',
        entity: 'variable',
        flag: 'checkout',
        rule: 'exp_1',
        variation: 'on',
        key: 'color',
        from: 'red',
        to: 'blue',
      },
      { kind: 'variable_changed', entity: 'variable', flag: 'checkout', key: 'color', from: 'red', to: 'green' },
    ]);
    expect(formatDiff(diff)).toEqual([
      '~ flag checkout › rule exp_1 › variation on › variable color "red" → "blue"',
      '~ flag checkout › variable color default "red" → "green"',
    ]);
  });

  it('reports featureEnabled toggled, variations added and removed, and a status change', () => {
    const next = checkout({
      experiments: [
        {
          key: 'exp_1',
          traffic: 10,
          status: 'Paused',
          variations: [{ key: 'on', featureEnabled: false, variables: { color: 'red' } }, { key: 'b' }],
        },
      ],
    });
    const diff = diffDatafiles(v4(), v4({ flags: [next] }));
    expect(diff.changes).toEqual(
      expect.arrayContaining([
        { kind: 'status_changed', entity: 'rule', flag: 'checkout', key: 'exp_1', from: 'Running', to: 'Paused' },
        { kind: 'variation_added', entity: 'variation', flag: 'checkout', rule: 'exp_1', key: 'b' },
        { kind: 'variation_removed', entity: 'variation', flag: 'checkout', rule: 'exp_1', key: 'off' },
        { kind: 'feature_enabled_changed', entity: 'variation', flag: 'checkout', rule: 'exp_1', key: 'on', from: true, to: false },
      ]),
    );
    expect(formatDiff(diff)).toContain('~ flag checkout › rule exp_1 › variation on featureEnabled true → false');
  });

  it("reports a rule's audience conditions and an audience's own conditions", () => {
    const retargeted = checkout({ rollout: [{ key: 'beta', traffic: 100, audienceConditions: ['and', '7', '8'] }, { key: 'everyone' }] });
    const audience = (value: string) => ({
      id: '7',
      name: 'Staff',
      conditions: ['and', { name: 'plan', type: 'custom_attribute', match: 'exact', value }],
    });
    const diff = diffDatafiles(
      v4({ typedAudiences: [audience('staff')] }),
      v4({ flags: [retargeted], typedAudiences: [audience('admin')] }),
    );
    expect(diff.changes.map((c) => c.kind)).toEqual(['rule_audiences_changed', 'audience_changed']);
    expect(diff.changes[0]).toMatchObject({ flag: 'checkout', key: 'beta', from: '["or","7"]', to: '["and","7","8"]' });
    expect(diff.changes[1]).toMatchObject({ key: '7', name: 'Staff' });
  });

  it('reads string conditions of `audiences` and lets typedAudiences of the same id win', () => {
    const legacy = { id: '7', name: 'Staff', conditions: '["or", {"name": "plan", "value": "x"}]' };
    const same = { id: '7', name: 'Staff', conditions: ['or', { value: 'x', name: 'plan' }] };
    // Same conditions, so no audience_changed; only the (unexplained) new typedAudiences section shows.
    expect(diffDatafiles(v4({ audiences: [legacy] }), v4({ audiences: [legacy], typedAudiences: [same] })).changes).toEqual([
      { kind: 'other', entity: 'other', key: 'typedAudiences', path: 'typedAudiences' },
    ]);
    expect(kinds(v4(), v4({ audiences: [legacy] }))).toEqual(['audience_added']);
  });

  it('reports attributes, events and groups added and removed', () => {
    const group = { id: '42', experiments: [{ key: 'mutex_a' }] };
    const diff = diffDatafiles(
      v4({ attributes: ['plan'], events: ['buy'] }),
      v4({ attributes: ['country'], events: ['view'], groups: [group] }),
    );
    expect(formatDiff(diff)).toEqual([
      '+ experiment mutex_a (traffic 100%)',
      '+ group 42',
      '+ attribute country',
      '- attribute plan',
      '+ event view',
      '- event buy',
    ]);
  });

  it('reports botFiltering toggled as a setting and an unknown top-level field generically', () => {
    const diff = diffDatafiles(v4({ extra: { region: 'US' } }), v4({ extra: { region: 'US', botFiltering: true, cmab: { ttl: 5 } } }));
    expect(diff.changes).toEqual([
      { kind: 'setting_changed', entity: 'setting', key: 'botFiltering', from: 'false', to: 'true' },
      { kind: 'other', entity: 'other', key: 'cmab', path: 'cmab', to: '{"ttl":5}' },
    ]);
  });

  it('names rule fields it does not model, such as forcedVariations', () => {
    const forced = checkout({
      rollout: [{ key: 'beta', traffic: 100, audienceConditions: ['or', '7'], forcedVariations: { u1: 'on' } }, { key: 'everyone' }],
    });
    expect(diffDatafiles(v4(), v4({ flags: [forced] })).changes).toEqual([
      {
        kind: 'other',
        entity: 'other',
        of: 'rule',
        key: 'flag checkout › rule beta',
        path: 'flag checkout › rule beta',
        fields: ['forcedVariations'],
      },
    ]);
  });

  it('reports an audience rename generically, as a field of that audience', () => {
    const named = (name: string) => v4({ typedAudiences: [{ id: '7', name, conditions: ['or'] }] });
    const diff = diffDatafiles(named('Staff'), named('Employees'));
    expect(diff.changes).toEqual([
      { kind: 'other', entity: 'other', of: 'audience', key: 'audience 7', path: 'audience 7', fields: ['name'] },
    ]);
    expect(formatDiff(diff)).toEqual(['~ other audience 7 (name)']);
  });

  it('reports fields it does not model alongside the changes it does, entity by entity', () => {
    // A v4 datafile with a flag variable's type, an extra variation field and a traffic ramp changed.
    const next = v4({
      flags: [
        checkout({
          rollout: [
            { key: 'beta', traffic: 100, audienceConditions: ['or', '7'] },
            { key: 'everyone', traffic: 50 },
          ],
        }),
      ],
    });
    const variable = list(list(next.featureFlags)[0]?.variables)[0];
    const variation = list(list(next.experiments)[0]?.variations)[0];
    if (!variable || !variation) throw new Error('no variable or variation to change');
    variable.type = 'json';
    variation.x = 1;

    const diff = diffDatafiles(v4(), next);

    expect(formatDiff(diff)).toEqual([
      '~ other flag checkout › rule exp_1 (variations[on].x)',
      '~ flag checkout › rule everyone traffic 100% → 50% (-50pp)',
      '~ other flag checkout (variables[color].type)',
    ]);
    expect(diff.changes[2]).toEqual({
      kind: 'other',
      entity: 'other',
      of: 'flag',
      key: 'flag checkout',
      path: 'flag checkout',
      fields: ['variables[color].type'],
    });
    expect(oneLine(summarize(diff))).toBe('2 rules changed, traffic -50pp (checkout), 2 other changes');
  });

  it('reports attribute, event, audience and group fields next to entities added in the same sections', () => {
    const base = { attributes: ['plan'], events: ['buy'], groups: [{ id: '42', experiments: [] }] };
    const a = v4({ ...base, typedAudiences: [{ id: '7', name: 'Staff', conditions: ['or'] }] });
    const b = v4({
      ...base,
      attributes: ['plan', 'country'],
      events: ['buy', 'view'],
      groups: [
        { id: '42', experiments: [] },
        { id: '43', experiments: [] },
      ],
      typedAudiences: [
        { id: '7', name: 'Employees', conditions: ['or'] },
        { id: '8', name: 'New', conditions: ['or'] },
      ],
    });
    const [attribute, event, group] = [list(b.attributes)[0], list(b.events)[0], list(b.groups)[0]];
    if (!attribute || !event || !group) throw new Error('nothing to change');
    [attribute.id, event.experimentIds, group.note] = ['1', ['9'], 'x'];

    expect(formatDiff(diffDatafiles(a, b))).toEqual([
      '+ group 43',
      '~ other group 42 (note)',
      '+ audience New (8)',
      '~ other audience 7 (name)',
      '+ attribute country',
      '~ other attribute plan (id)',
      '+ event view',
      '~ other event buy (experimentIds)',
    ]);
  });

  it('reports a section whose entries moved or repeat a key, whatever else changed in it', () => {
    const a = v4({ flags: [checkout(), { key: 'banner' }], attributes: ['plan'] });
    const b = v4({ flags: [{ key: 'banner' }, checkout(), { key: 'new' }], attributes: ['plan', 'country'] });
    b.attributes = [...list(b.attributes), { id: '99', key: 'plan' }];
    expect(formatDiff(diffDatafiles(a, b))).toEqual([
      '+ flag new',
      '~ other featureFlags',
      '~ other rollouts',
      '+ attribute country',
      '~ other attributes',
    ]);
  });

  it('reports what no flag refers to: an orphan rollout, an experiment id that names no rule', () => {
    const a = v4();
    const b = v4({
      flags: [
        checkout({
          rollout: [
            { key: 'beta', traffic: 100, audienceConditions: ['or', '7'] },
            { key: 'everyone', traffic: 30 },
          ],
        }),
      ],
    });
    b.rollouts = [...list(b.rollouts), { id: 'orphan', experiments: [] }];
    const flag = list(b.featureFlags)[0];
    if (!flag || !Array.isArray(flag.experimentIds)) throw new Error('no flag');
    flag.experimentIds = [...flag.experimentIds, 'no_such_experiment'];
    expect(formatDiff(diffDatafiles(a, b))).toEqual([
      '~ flag checkout › rule everyone traffic 100% → 30% (-70pp)',
      '~ other flag checkout (experimentIds)',
      '~ other rollouts',
    ]);
  });

  it('diffs standalone experiments, holdouts and group experiments', () => {
    const holdout = (traffic: number) => ({
      holdouts: [
        {
          id: '9',
          key: 'ho',
          status: 'Running',
          variations: [{ id: 'v', key: 'off' }],
          trafficAllocation: [{ entityId: 'v', endOfRange: traffic }],
        },
      ],
    });
    const a = v4({
      experiments: [{ key: 'legacy', traffic: 50 }],
      groups: [{ id: '42', experiments: [{ key: 'm1' }] }],
      extra: holdout(500),
    });
    const b = v4({
      experiments: [{ key: 'legacy', traffic: 60 }],
      groups: [{ id: '42', experiments: [{ key: 'm1', status: 'Paused' }] }],
      extra: holdout(1000),
    });
    expect(formatDiff(diffDatafiles(a, b))).toEqual([
      '~ experiment legacy traffic 50% → 60% (+10pp)',
      '~ experiment m1 status Running → Paused',
      '~ holdout ho traffic 5% → 10% (+5pp)',
    ]);
  });
});

describe('diffDatafiles on v2 and v3 datafiles', () => {
  const ab = (traffic: number, status = 'Running') => ({
    key: 'etag1',
    traffic,
    status,
    variations: [
      { key: 'a', variables: { size: '1' } },
      { key: 'b', variables: { size: '2' } },
    ],
  });

  it('treats v2 experiments as the things added, removed and ramped', () => {
    const a = buildDatafile({ version: '2', experiments: [ab(50), { key: 'gone' }] });
    const b = buildDatafile({ version: '2', experiments: [ab(90, 'Paused'), { key: 'etag2' }] });
    expect(formatDiff(diffDatafiles(a, b))).toEqual([
      '+ experiment etag2 (traffic 100%)',
      '- experiment gone (traffic 100%)',
      '~ experiment etag1 status Running → Paused',
      '~ experiment etag1 traffic 50% → 90% (+40pp)',
    ]);
  });

  it('reports v3 variation variables by id when no flag names them', () => {
    const changed = {
      ...ab(50),
      variations: [
        { key: 'a', variables: { size: '3' } },
        { key: 'b', variables: { size: '2' } },
      ],
    };
    const diff = diffDatafiles(
      buildDatafile({ version: '3', experiments: [ab(50)] }),
      buildDatafile({ version: '3', experiments: [changed] }),
    );
    expect(diff.changes).toEqual([
      expect.objectContaining({ kind: 'variable_changed', rule: 'etag1', variation: 'a', from: '1', to: '3' }),
    ]);
    expect(diff.changes[0]?.key).toMatch(/^\d+$/);
  });

  it('uses v3 featureFlags when present, and reports a v2 → v3 upgrade as a version change', () => {
    const flags = [{ key: 'f', experiments: [ab(50)] }];
    expect(kinds(buildDatafile({ version: '3', flags }), buildDatafile({ version: '3', flags: [...flags, { key: 'g' }] }))).toEqual([
      'flag_added',
    ]);
    const upgrade = diffDatafiles(
      buildDatafile({ version: '2', experiments: [{ key: 'e' }] }),
      buildDatafile({ version: '3', experiments: [{ key: 'e' }] }),
    );
    expect(upgrade.changes).toEqual(
      expect.arrayContaining([{ kind: 'setting_changed', entity: 'setting', key: 'version', from: '"2"', to: '"3"' }]),
    );
  });
});

describe('diffDatafiles on a first revision', () => {
  it('is initial and lists every flag, experiment, audience, attribute, event and group as added', () => {
    const next = v4({
      experiments: [{ key: 'legacy' }],
      groups: [{ id: '42', experiments: [] }],
      audiences: [{ id: '7', name: 'Staff', conditions: '[]' }],
    });
    const diff = diffDatafiles(undefined, next);
    expect(diff.initial).toBe(true);
    expect(diff.changes.map((c) => `${c.kind} ${c.key}`)).toEqual([
      'flag_added checkout',
      'experiment_added legacy',
      'group_added 42',
      'audience_added 7',
      'attribute_added plan',
      'event_added buy',
    ]);
    expect(oneLine(summarize(diff))).toBe('initial revision: +1 flag, +1 experiment, +1 audience, +1 attribute, +1 event, +1 group');
  });
});

describe('diffDatafiles on malformed input', () => {
  it('never throws, whatever JSON either side holds', () => {
    fc.assert(
      fc.property(fc.option(fc.jsonValue(), { nil: undefined }), fc.jsonValue(), (a, b) => {
        const diff = diffDatafiles(a, b);
        formatDiff(diff);
        expect(Buffer.byteLength(JSON.stringify(summarize(diff)))).toBeLessThanOrEqual(3072);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws when any field of a real-looking datafile is replaced by arbitrary JSON', () => {
    const base = JSON.stringify(v4({ experiments: [{ key: 'legacy' }], groups: [{ id: '42', experiments: [{ key: 'm' }] }] }));
    const paths = collectPaths(JSON.parse(base));
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), fc.boolean(), (path, value, onPrevious) => {
        const broken = JSON.parse(base);
        setAt(broken, path, value);
        const diff = onPrevious ? diffDatafiles(broken, JSON.parse(base)) : diffDatafiles(JSON.parse(base), broken);
        formatDiff(diff);
        oneLine(summarize(diff));
      }),
      { numRuns: 500 },
    );
  });
});

describe('diffDatafiles reports every change', () => {
  it('shows any one value replaced or removed anywhere, next to a traffic ramp of another rule', () => {
    const base = JSON.stringify(
      v4({
        experiments: [{ key: 'legacy', forcedVariations: { u: 'on' } }],
        groups: [{ id: '42', experiments: [{ key: 'm' }] }],
        typedAudiences: [{ id: '7', name: 'Staff', conditions: ['or', { name: 'plan', value: 'x' }] }],
        audiences: [{ id: '8', name: 'Old', conditions: '["or"]' }],
        extra: { holdouts: [{ id: '9', key: 'ho', status: 'Running', variations: [], trafficAllocation: [] }] },
      }),
    );
    const everyone = (datafile: unknown) => {
      const path = collectPaths(datafile).find((p) => rec(getAt(datafile, p))?.key === 'everyone');
      if (!path) throw new Error('no rule everyone');
      return path;
    };
    const rule = everyone(JSON.parse(base));
    const ramped = () => {
      const datafile = JSON.parse(base);
      setAt(datafile, [...rule, 'trafficAllocation', 0, 'endOfRange'], 5000);
      return datafile;
    };
    const inRule = (path: (string | number)[]) => path.length > rule.length && rule.every((k, i) => path[i] === k);
    const paths = collectPaths(JSON.parse(base)).filter((p) => p.length > 0 && p[0] !== 'revision' && !inRule(p));
    const ramp = JSON.stringify(diffDatafiles(JSON.parse(base), ramped()).changes);
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.option(fc.jsonValue()), fc.boolean(), (path, value, onPrevious) => {
        const changed = onPrevious ? JSON.parse(base) : ramped();
        if (value === null) deleteAt(changed, path);
        else setAt(changed, path, value);
        fc.pre(stable(changed) !== stable(onPrevious ? JSON.parse(base) : ramped()));
        const diff = onPrevious ? diffDatafiles(changed, ramped()) : diffDatafiles(JSON.parse(base), changed);
        expect(JSON.stringify(diff.changes)).not.toBe(ramp);
      }),
      { numRuns: 500 },
    );
  });
});

function collectPaths(x: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (x === null || typeof x !== 'object') return [at];
  const entries: [string | number, unknown][] = Array.isArray(x) ? x.map((v, i) => [i, v]) : Object.entries(x);
  return [at, ...entries.flatMap(([k, v]) => collectPaths(v, [...at, k]))];
}

function setAt(root: unknown, path: (string | number)[], value: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (last !== undefined) node[last] = value;
}

function getAt(root: unknown, path: (string | number)[]): unknown {
  let node = root as Record<string | number, unknown> | undefined;
  for (const k of path) node = node?.[k] as Record<string | number, unknown> | undefined;
  return node;
}

function deleteAt(root: unknown, path: (string | number)[]): void {
  const parent = getAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
  else if (parent !== null && typeof parent === 'object' && last !== undefined) delete (parent as Record<string | number, unknown>)[last];
}
