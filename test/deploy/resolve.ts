/**
 * Concrete values for a template's intrinsic functions, so a policy document can be evaluated:
 * `Ref` and `Fn::GetAtt` look up `refs` (`DatafileTable`, `DatafileTable.Arn`, `AWS::AccountId`),
 * `Fn::Sub` substitutes `${Name}` / `${Name.Attr}` from the same map, `Fn::Join` joins. A reference
 * missing from `refs` becomes `unresolved:<name>`: it then matches no recorded call, so a grant that
 * depends on it shows up as unused instead of crashing the check. `Fn::If` takes the branch of
 * `refs['Condition:<Name>']` (default 'true', as the stage under test deploys everything), and
 * `AWS::NoValue` drops out of its list.
 */
export function resolveIntrinsics(value: unknown, refs: Record<string, string>): unknown {
  const lookup = (name: string) => refs[name] ?? `unresolved:${name}`;
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, refs)).filter((v) => v !== NO_VALUE);
  if (!value || typeof value !== 'object') return value;
  const v = value as Record<string, unknown>;
  if (v.Ref === 'AWS::NoValue') return NO_VALUE;
  if (typeof v.Ref === 'string') return lookup(v.Ref);
  if (Array.isArray(v['Fn::If'])) {
    const [condition, yes, no] = v['Fn::If'] as [string, unknown, unknown];
    return resolveIntrinsics((refs[`Condition:${condition}`] ?? 'true') === 'true' ? yes : no, refs);
  }
  if (Array.isArray(v['Fn::GetAtt'])) return lookup((v['Fn::GetAtt'] as string[]).join('.'));
  if (v['Fn::Sub'] !== undefined) {
    const [text, vars] = Array.isArray(v['Fn::Sub']) ? (v['Fn::Sub'] as [string, Record<string, unknown>]) : [v['Fn::Sub'] as string, {}];
    const local = Object.fromEntries(Object.entries(vars).map(([k, x]) => [k, String(resolveIntrinsics(x, refs))]));
    return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => local[name] ?? lookup(name));
  }
  if (Array.isArray(v['Fn::Join'])) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => String(resolveIntrinsics(p, refs))).join(sep);
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveIntrinsics(x, refs)]));
}

const NO_VALUE = Symbol('AWS::NoValue');
