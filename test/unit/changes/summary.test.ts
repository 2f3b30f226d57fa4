import { diffDatafiles } from '../../../lib/changes/diff';
import { MAX_SUMMARY_BYTES, oneLine, summarize } from '../../../lib/changes/summary';
import type { Change, DatafileDiff } from '../../../lib/changes/types';
import { buildDatafile, type FlagSpec } from '../../support/datafile-builders';

const diffOf = (changes: Change[], initial = false): DatafileDiff => ({ initial, revisions: { previous: '1', next: '2' }, changes });
const traffic = (flag: string, key: string, from: number, to: number): Change => ({
  kind: 'traffic_changed',
  entity: 'rule',
  flag,
  key,
  from,
  to,
  deltaPoints: to - from,
});

describe('summarize', () => {
  it('counts every kind, distinct rules changed, and keeps the largest traffic move', () => {
    // Arrange
    const diff = diffOf([
      { kind: 'flag_added', entity: 'flag', key: 'a' },
      { kind: 'flag_added', entity: 'flag', key: 'b' },
      { kind: 'flag_removed', entity: 'flag', key: 'c' },
      traffic('checkout_flow', 'exp_1', 10, 25),
      traffic('search', 'r1', 50, 40),
      { kind: 'status_changed', entity: 'rule', flag: 'checkout_flow', key: 'exp_1', from: 'Paused', to: 'Running' },
      { kind: 'feature_enabled_changed', entity: 'variation', flag: 'search', rule: 'r2', key: 'on', from: true, to: false },
      { kind: 'audience_changed', entity: 'audience', key: '7', from: '[]', to: '["or"]' },
    ]);
    // Act
    const summary = summarize(diff);
    // Assert
    expect(summary).toMatchObject({
      total: 8,
      counts: { flag_added: 2, flag_removed: 1, traffic_changed: 2, status_changed: 1, feature_enabled_changed: 1, audience_changed: 1 },
      rulesChanged: 3,
      peakTraffic: { flag: 'checkout_flow', key: 'exp_1', deltaPoints: 15 },
      omitted: 0,
    });
    expect(oneLine(summary)).toBe('+2 flags, -1 flag, 3 rules changed, traffic +15pp (checkout_flow), 1 audience changed');
  });

  it('keeps only the first maxChanges changes and says how many it left out', () => {
    const flags = Array.from({ length: 30 }, (_, i): Change => ({ kind: 'flag_added', entity: 'flag', key: `f${i}` }));
    const summary = summarize(diffOf(flags), 5);
    expect(summary.changes.map((c) => c.key)).toEqual(['f0', 'f1', 'f2', 'f3', 'f4']);
    expect(summary.omitted).toBe(25);
    expect(summary.counts.flag_added).toBe(30);
  });

  it('cuts long values and long key lists', () => {
    const long = 'x'.repeat(5000);
    const rules = Array.from({ length: 40 }, (_, i) => `rule_${i}`);
    const summary = summarize(
      diffOf([
        { kind: 'other', entity: 'other', key: 'blob', path: 'blob', from: long, to: long },
        { kind: 'rules_reordered', entity: 'flag', key: 'f', from: rules, to: [...rules].reverse() },
      ]),
    );
    expect(summary.changes[0]).toMatchObject({ from: `${'x'.repeat(59)}…` });
    expect(summary.changes[1]).toMatchObject({ from: [...rules.slice(0, 8), '… +32'] });
  });

  it('stays under the byte budget for a large change of long keys, with all counts kept', () => {
    // Arrange: 300 flags with 60-character keys and long variable values, every one changed.
    const key = (i: number) => `flag_${String(i).padStart(3, '0')}_${'k'.repeat(51)}`;
    const flag = (i: number, value: string): FlagSpec => ({
      key: key(i),
      variables: { message: value },
      rollout: [
        {
          key: `${key(i)}_rule`,
          traffic: value.length % 100,
          variations: [{ key: 'on', featureEnabled: true, variables: { message: value } }],
        },
      ],
    });
    const before = buildDatafile({ flags: Array.from({ length: 300 }, (_, i) => flag(i, 'a'.repeat(50))) });
    const after = buildDatafile({
      flags: Array.from({ length: 300 }, (_, i) => flag(i, 'b'.repeat(120))),
      extra: { blob: 'z'.repeat(10_000) },
    });
    const diff = diffDatafiles(before, after);
    // Act
    const summary = summarize(diff, 50);
    // Assert
    expect(Buffer.byteLength(JSON.stringify(summary))).toBeLessThanOrEqual(MAX_SUMMARY_BYTES);
    expect(summary.total).toBe(diff.changes.length);
    expect(summary.counts).toEqual({ traffic_changed: 300, variable_changed: 600, other: 1 });
    expect(summary.changes.length).toBeGreaterThan(0);
    expect(summary.omitted).toBe(summary.total - summary.changes.length);
  });
});

describe('oneLine', () => {
  it('says "no changes" for an empty diff', () => {
    expect(oneLine(summarize(diffOf([])))).toBe('no changes');
  });

  it('names traffic decreases with a minus and standalone experiments by their key', () => {
    const summary = summarize(
      diffOf([{ kind: 'traffic_changed', entity: 'experiment', key: 'etag1', from: 50, to: 40, deltaPoints: -10 }]),
    );
    expect(oneLine(summary)).toBe('1 rule changed, traffic -10pp (etag1)');
  });

  it('lists settings, groups, reorders, flag variables and other changes', () => {
    const summary = summarize(
      diffOf([
        { kind: 'rules_reordered', entity: 'flag', key: 'f', from: ['a', 'b'], to: ['b', 'a'] },
        { kind: 'variable_changed', entity: 'variable', flag: 'f', key: 'color', from: 'red', to: 'blue' },
        { kind: 'group_removed', entity: 'group', key: '42' },
        { kind: 'setting_changed', entity: 'setting', key: 'botFiltering', from: 'false', to: 'true' },
        { kind: 'other', entity: 'other', key: 'cmab', path: 'cmab' },
      ]),
    );
    expect(oneLine(summary)).toBe('rules reordered in 1 flag, 1 flag variable changed, -1 group, 1 setting changed, 1 other change');
  });

  it('counts fields changed in a rule as a rule changed, and in a flag or an audience as other changes', () => {
    const path = 'flag f › rule r';
    const summary = summarize(
      diffOf([
        { kind: 'other', entity: 'other', of: 'rule', key: path, path, fields: ['variations[on].x'] },
        { kind: 'other', entity: 'other', of: 'flag', key: 'flag f', path: 'flag f', fields: ['variables[color].type'] },
        { kind: 'other', entity: 'other', of: 'audience', key: 'audience 7', path: 'audience 7', fields: ['name'] },
      ]),
    );
    expect(oneLine(summary)).toBe('1 rule changed, 3 other changes');
  });
});
