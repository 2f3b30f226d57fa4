import { rmSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { aliasObjectKey, datafilePath, KEY_PATTERN, mirrorObjectKey, revisionObjectKey } from '../../lib/layout';
import { type Packaged, packageVariant } from './package';
import { wildcardPermissions } from './policy-rules';
import { conditionHolds, created, resource } from './stack';
import { literal, type Resource, resourcesOfType, type Statement, type Template } from './template';

// `serverless package` offline, twice: default params (mirror on) and mirrorEnabled=false.
let on: Packaged;
let off: Packaged;

beforeAll(async () => {
  on = await packageVariant('ci');
  off = await packageVariant('nomirror');
}, 240_000);

afterAll(() => {
  for (const p of [on, off]) if (p) rmSync(p.dir, { recursive: true, force: true });
});

const MIRROR_RESOURCES = [
  'MirrorOriginAccessControl',
  'MirrorCachePolicy',
  'MirrorResponseHeadersPolicy',
  'MirrorRequestFunction',
  'MirrorDistribution',
];

interface DistributionConfig {
  Origins: Array<{
    DomainName: unknown;
    OriginPath: string;
    OriginAccessControlId: unknown;
    S3OriginConfig: { OriginAccessIdentity: string };
  }>;
  DefaultCacheBehavior: {
    ViewerProtocolPolicy: string;
    Compress: boolean;
    CachePolicyId: unknown;
    OriginRequestPolicyId?: unknown;
    ForwardedValues?: unknown;
    AllowedMethods: string[];
    FunctionAssociations: Array<{ EventType: string; FunctionARN: unknown }>;
  };
  CacheBehaviors?: unknown[];
}

function distribution(t: Template): DistributionConfig {
  return (resource(t, 'MirrorDistribution').Properties as { DistributionConfig: DistributionConfig }).DistributionConfig;
}

/** The bucket policy's statements with each `Fn::If` resolved the way CloudFormation would. */
function bucketStatements(t: Template): Statement[] {
  const doc = (resource(t, 'DatafileBucketPolicy').Properties as { PolicyDocument: { Statement: unknown[] } }).PolicyDocument;
  return doc.Statement.flatMap((s) => {
    const branch = (s as { 'Fn::If'?: [string, unknown, unknown] })['Fn::If'];
    if (!branch) return [s as Statement];
    const chosen = conditionHolds(t, branch[0]) ? branch[1] : branch[2];
    return (chosen as { Ref?: string }).Ref === 'AWS::NoValue' ? [] : [chosen as Statement];
  });
}

/** An S3 ARN pattern (`*` = any characters) as a test on object keys of the stack's bucket. */
function grantsKey(resourceText: string, key: string): boolean {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
  const prefix = '${DatafileBucket.Arn}/';
  if (!resourceText.startsWith(prefix)) return false;
  const pattern = resourceText
    .slice(prefix.length)
    .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*');
  return new RegExp(`^${pattern}$`).test(key);
}

/** The viewer-request function's code run in a sandbox, as CloudFront would for one request. */
function runRequestFunction(t: Template, method: string, uri: string): { statusCode?: number; uri?: string } {
  const code = String(resource(t, 'MirrorRequestFunction').Properties?.FunctionCode);
  return runInNewContext(`${code}\nhandler(event)`, { event: { request: { method, uri, querystring: {}, headers: {} } } }) as {
    statusCode?: number;
    uri?: string;
  };
}

describe('the SDK mirror stack', () => {
  it('puts CloudFront over the private bucket through OAC, HTTPS only, compressed, mapping /datafiles/{key}.json onto the mirror copy', () => {
    const d = distribution(on.template);
    const origin = d.Origins[0];
    const oac = (resource(on.template, 'MirrorOriginAccessControl').Properties as { OriginAccessControlConfig: Record<string, string> })
      .OriginAccessControlConfig;

    expect(d.Origins).toHaveLength(1);
    expect(literal(origin?.DomainName)).toBe('{DatafileBucket.RegionalDomainName}');
    expect(literal(origin?.OriginAccessControlId)).toBe('{MirrorOriginAccessControl.Id}');
    expect(origin?.S3OriginConfig.OriginAccessIdentity).toBe('');
    expect(oac).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
    expect(`${origin?.OriginPath}${datafilePath('sdk_Key-1')}`).toBe(`/${mirrorObjectKey('sdk_Key-1')}`);
    expect(['https-only', 'redirect-to-https']).toContain(d.DefaultCacheBehavior.ViewerProtocolPolicy);
    expect(d.DefaultCacheBehavior.Compress).toBe(true);
    expect(d.DefaultCacheBehavior.AllowedMethods).not.toContain('POST');
    expect(d.CacheBehaviors).toBeUndefined();
  });

  it('caches by the object’s Cache-Control, with nothing from the viewer in the key but its compression', () => {
    const policy = (resource(on.template, 'MirrorCachePolicy').Properties as { CachePolicyConfig: Record<string, unknown> })
      .CachePolicyConfig;
    const params = policy.ParametersInCacheKeyAndForwardedToOrigin as Record<string, unknown>;

    expect(literal(distribution(on.template).DefaultCacheBehavior.CachePolicyId)).toBe('{MirrorCachePolicy}');
    expect(policy.MinTTL).toBe(0);
    expect(Number(policy.DefaultTTL)).toBe(1);
    expect(Number(policy.MaxTTL)).toBeGreaterThanOrEqual(Number(policy.DefaultTTL));
    expect(Number(policy.MaxTTL)).toBeLessThanOrEqual(3600);
    expect(params).toMatchObject({
      EnableAcceptEncodingGzip: true,
      EnableAcceptEncodingBrotli: true,
      CookiesConfig: { CookieBehavior: 'none' },
      HeadersConfig: { HeaderBehavior: 'none' },
      QueryStringsConfig: { QueryStringBehavior: 'none' },
    });
  });

  it('lets only this distribution read the bucket, and only mirror copies: never latest.json or revision objects', () => {
    const allows = bucketStatements(on.template).filter((s) => s.Effect === 'Allow');
    const [grant, listing] = allows;
    const resourceText = literal(grant?.Resource);

    expect(allows).toHaveLength(2);
    for (const statement of allows) {
      expect(statement.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
      expect(Object.keys(statement.Condition ?? {})).toEqual(['StringEquals']);
      expect(Object.keys(statement.Condition?.StringEquals ?? {})).toEqual(['aws:SourceArn']);
      expect(literal(statement.Condition?.StringEquals?.['aws:SourceArn'])).toBe(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
        'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${MirrorDistribution}',
      );
    }
    expect(grant?.Action).toBe('s3:GetObject');
    // And ListBucket on the bucket itself: S3 answers a GET for a missing object 404, not 403, only
    // to a caller that may list (the next test shows the distribution never sends a listing).
    expect(listing?.Action).toBe('s3:ListBucket');
    expect(literal(listing?.Resource)).toBe('{DatafileBucket.Arn}');
    expect(grantsKey(resourceText, mirrorObjectKey('sdk_key'))).toBe(true);
    expect(grantsKey(resourceText, aliasObjectKey('sdk_key'))).toBe(false);
    expect(grantsKey(resourceText, revisionObjectKey('secure_key', 3, 'a'.repeat(64)))).toBe(false);
    expect(
      wildcardPermissions({ ...on.template, Resources: { ...on.template.Resources, DatafileBucketPolicy: withStatements(on, allows) } }),
    ).toEqual([]);
  });

  it('never lets a viewer make the distribution list the bucket (it may, so that a missing copy is a 404)', () => {
    const d = distribution(on.template);
    const cachePolicy = (resource(on.template, 'MirrorCachePolicy').Properties as { CachePolicyConfig: Record<string, unknown> })
      .CachePolicyConfig;

    // A listing is a GET of the bucket root: every origin request is under /mirror/.
    expect(d.Origins.map((o) => o.OriginPath)).toEqual(['/mirror']);
    // ListObjectsV2 also needs ?list-type=2: no query string reaches the origin. The one behaviour
    // forwards what its cache policy names, no query string, and has no origin request policy.
    expect(d.CacheBehaviors).toBeUndefined();
    expect(d.DefaultCacheBehavior.OriginRequestPolicyId).toBeUndefined();
    expect(d.DefaultCacheBehavior.ForwardedValues).toBeUndefined();
    expect(cachePolicy.ParametersInCacheKeyAndForwardedToOrigin).toMatchObject({ QueryStringsConfig: { QueryStringBehavior: 'none' } });
    // And nothing but /datafiles/{valid key}.json gets past the edge.
    for (const uri of ['/', '/mirror/', '/datafiles/', '/datafiles', '/datafiles/.json', '/datafiles/?list-type=2']) {
      expect([uri, runRequestFunction(on.template, 'GET', uri).statusCode]).toEqual([uri, 404]);
    }
  });

  it('shows viewers S3’s own answers: no viewer-response function (CloudFront runs none on a 4xx from the origin)', () => {
    expect(distribution(on.template).DefaultCacheBehavior.FunctionAssociations.map((a) => a.EventType)).toEqual(['viewer-request']);
    expect(resourcesOfType(on.template, 'AWS::CloudFront::Function').map(([id]) => id)).toEqual(['MirrorRequestFunction']);
  });

  it('answers CORS preflights and 404s any path but /datafiles/{valid key}.json at the edge', () => {
    const run = (method: string, uri: string) => runRequestFunction(on.template, method, uri);
    const association = distribution(on.template).DefaultCacheBehavior.FunctionAssociations;

    expect(association.map((a) => [a.EventType, literal(a.FunctionARN)])).toEqual([
      ['viewer-request', '{MirrorRequestFunction.FunctionARN}'],
    ]);
    expect(run('GET', datafilePath('sdk_key')).uri).toBe('/datafiles/sdk_key.json');
    expect(run('OPTIONS', datafilePath('sdk_key')).statusCode).toBe(204);
    for (const uri of ['/datafiles/auth/sdk_key.json', '/datafiles/sdk_key/latest.json', '/datafiles/a.b.json', '/json/123.json', '/']) {
      expect(run('GET', uri).statusCode).toBe(404);
    }
  });

  it('lets through exactly the keys lib/layout.ts calls valid (KEY_PATTERN)', () => {
    const code = String(resource(on.template, 'MirrorRequestFunction').Properties?.FunctionCode);
    const passes = (key: string) => runRequestFunction(on.template, 'GET', `/datafiles/${key}.json`).statusCode === undefined;
    const pathRule = /\/\^\\\/datafiles\\\/(.+)\\\.json\$\//.exec(code);

    // The same expression, character for character, between /datafiles/ and .json...
    expect(`^${pathRule?.[1]}$`).toBe(KEY_PATTERN.source);
    // ...and the same verdict on keys at the rule's edges, and on any others.
    for (const key of ['a', '_', '-', 'A'.repeat(128), 'A'.repeat(129), '', 'a.b', 'a/b', 'a%2Fb', 'ä', 'a b']) {
      expect([key, passes(key)]).toEqual([key, KEY_PATTERN.test(key)]);
    }
    const unit = fc.constantFrom(...'aZ09_-./%: ?#ä');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 140 }), (key) => passes(key) === KEY_PATTERN.test(key)),
      { numRuns: 300 },
    );
  });

  it('outputs the SDK URL template', () => {
    const output = on.template.Outputs?.MirrorUrlTemplate as { Value: unknown; Condition?: string };

    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
    expect(literal(output.Value)).toBe('https://${MirrorDistribution.DomainName}/datafiles/%s.json');
    expect(output.Condition).toBe('MirrorEnabled');
  });

  it('names every resource of the mirror in MIRROR_RESOURCES (what the next test checks)', () => {
    const ids = (keep: (r: Resource) => boolean) =>
      Object.entries(on.template.Resources)
        .filter(([, r]) => keep(r))
        .map(([id]) => id)
        .sort();

    expect(ids((r) => r.Condition === 'MirrorEnabled')).toEqual([...MIRROR_RESOURCES].sort());
    expect(ids((r) => r.Type.startsWith('AWS::CloudFront::'))).toEqual([...MIRROR_RESOURCES].sort());
  });

  it('creates none of it, and grants nothing, when mirrorEnabled is false', () => {
    expect(conditionHolds(on.template, 'MirrorEnabled')).toBe(true);
    expect(conditionHolds(off.template, 'MirrorEnabled')).toBe(false);
    for (const id of MIRROR_RESOURCES) {
      expect(created(on.template, id)).toBeDefined();
      expect(created(off.template, id)).toBeUndefined();
    }
    expect(bucketStatements(off.template).filter((s) => s.Effect === 'Allow')).toEqual([]);
  });
});

function withStatements(p: Packaged, statements: Statement[]) {
  const policy = resource(p.template, 'DatafileBucketPolicy');
  return { ...policy, Properties: { ...policy.Properties, PolicyDocument: { Version: '2012-10-17', Statement: statements } } };
}
