import { rmSync } from 'node:fs';
import { danglingReferences, dependencyCycles } from './dependencies';
import { type Packaged, packageVariant, VARIANTS, type Variant } from './package';
import { resourcesOfType, type Template } from './template';

// What CloudFormation itself would refuse, checked on every stage/param combination the deploy tests
// package (VARIANTS): a template that fails here cannot be deployed at all, whatever else it gets right.
const packaged = {} as Record<Variant, Packaged>;
const names = Object.keys(VARIANTS) as Variant[];

beforeAll(async () => {
  // One after the other: each packaging bundles three functions with esbuild.
  for (const name of names) packaged[name] = await packageVariant(name);
}, 360_000);

afterAll(() => {
  for (const p of Object.values(packaged)) rmSync(p.dir, { recursive: true, force: true });
});

describe('the dependency check', () => {
  // The cycle this stack once had: the rule targets the topic, the topic is encrypted with the key,
  // and the key policy named the rule's Arn.
  const cyclic: Template = {
    Resources: {
      Rule: { Type: 'AWS::Events::Rule', Properties: { Targets: [{ Arn: { Ref: 'Topic' } }] } },
      Topic: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: { Ref: 'Key' } } },
      Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Condition: { 'aws:SourceArn': { 'Fn::GetAtt': ['Rule', 'Arn'] } } } } },
      Alone: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { Ref: 'AWS::StackName' } } },
    },
  };

  it('finds a cycle through Ref and Fn::GetAtt', () => {
    expect(dependencyCycles(cyclic)).toEqual([['Key', 'Rule', 'Topic']]);
  });

  it.each([
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
    ['Fn::Sub ${X.Attr}', { 'Fn::Sub': 'x ${Rule.Arn} y' }],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
    ['Fn::Sub ${X}', { 'Fn::Sub': ['${Rule}', {}] }],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
    ['a Fn::Sub variable', { 'Fn::Sub': ['${Name}', { Name: { Ref: 'Rule' } }] }],
    ['Fn::GetAtt in its string form', { 'Fn::GetAtt': 'Rule.Arn' }],
    ['either branch of an Fn::If', { 'Fn::If': ['C', 'x', { Ref: 'Rule' }] }],
  ])('finds it through %s', (_name, reference) => {
    const key = { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Condition: reference } } };

    expect(dependencyCycles({ Resources: { ...cyclic.Resources, Key: key } })).toEqual([['Key', 'Rule', 'Topic']]);
  });

  it('finds it through DependsOn, and a resource depending on itself', () => {
    const key = { Type: 'AWS::KMS::Key', DependsOn: ['Alone', 'Rule'] };
    const self = { Type: 'AWS::SNS::Topic', DependsOn: 'Self' };

    expect(dependencyCycles({ Resources: { ...cyclic.Resources, Key: key, Self: self } })).toEqual([['Key', 'Rule', 'Topic'], ['Self']]);
  });

  it('ignores escaped literals, a Sub’s own variables and pseudo parameters', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
    const sub = { 'Fn::Sub': ['${!Rule} ${Rule} ${AWS::Region}', { Rule: 'literal' }] };
    const key = { Type: 'AWS::KMS::Key', Properties: { Description: sub } };

    expect(dependencyCycles({ Resources: { ...cyclic.Resources, Key: key } })).toEqual([]);
    expect(danglingReferences({ Resources: { ...cyclic.Resources, Key: key } })).toEqual([]);
  });
});

/** Alarm action lists (every branch of any Fn::If in them) holding an empty string, as `Alarm.Property`. */
function emptyAlarmActions(template: Template): string[] {
  const found: string[] = [];
  const walk = (value: unknown, where: string): void => {
    if (value === '') found.push(where);
    else if (value && typeof value === 'object') for (const v of Object.values(value)) walk(v, where);
  };
  for (const [id, r] of Object.entries(template.Resources)) {
    // AWS::CloudWatch::Alarm and AWS::CloudWatch::CompositeAlarm
    if (!r.Type.startsWith('AWS::CloudWatch::')) continue;
    for (const property of ['AlarmActions', 'OKActions', 'InsufficientDataActions']) walk(r.Properties?.[property], `${id}.${property}`);
  }
  return found;
}

describe.each(names)('the packaged %s stack', (name) => {
  it('has no dependency cycle CloudFormation would refuse', () => {
    expect(dependencyCycles(packaged[name].template)).toEqual([]);
  });

  it('refers only to resources, parameters and pseudo parameters it has', () => {
    expect(danglingReferences(packaged[name].template)).toEqual([]);
  });

  // `ci` and `nomirror` have no alarmTopicArn, `prod` has one.
  it('gives no alarm an empty action ARN (AlarmActions, OKActions, InsufficientDataActions)', () => {
    expect(resourcesOfType(packaged[name].template, 'AWS::CloudWatch::Alarm').length).toBeGreaterThan(0);
    expect(emptyAlarmActions(packaged[name].template)).toEqual([]);
  });
});
