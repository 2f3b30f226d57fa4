import { literal, type Resource, type Statement, type Template, toArray } from './template';

/** Evaluates a condition the way CloudFormation would, for conditions serverless resolved to literals. */
export function conditionHolds(template: Template, name: string): boolean {
  const evaluate = (expr: unknown): boolean => {
    const e = expr as Record<string, unknown>;
    if (Array.isArray(e['Fn::Equals'])) {
      const [a, b] = e['Fn::Equals'] as unknown[];
      return literal(a) === literal(b);
    }
    if (Array.isArray(e['Fn::Not'])) return !evaluate((e['Fn::Not'] as unknown[])[0]);
    if (typeof e.Condition === 'string') return conditionHolds(template, e.Condition);
    throw new Error(`cannot evaluate condition ${JSON.stringify(expr)}`);
  };
  const expr = template.Conditions?.[name];
  if (expr === undefined) throw new Error(`no condition ${name}`);
  return evaluate(expr);
}

/** A resource that would be created (no condition, or its condition holds). */
export function created(template: Template, id: string): Resource | undefined {
  const r = template.Resources[id];
  if (!r) return undefined;
  return r.Condition === undefined || conditionHolds(template, r.Condition) ? r : undefined;
}

export function resource(template: Template, id: string): Resource {
  const r = template.Resources[id];
  if (!r) throw new Error(`no resource ${id}`);
  return r;
}

export interface Grant {
  actions: string[];
  resources: string[];
  condition?: unknown;
}

/** One Allow statement as comparable data: sorted actions, resources as literal text, its condition. */
export function grant(statement: Statement): Grant {
  // Copies before sorting: the statement belongs to the template other checks read.
  const g: Grant = { actions: [...toArray(statement.Action)].sort(), resources: toArray(statement.Resource).map(literal).sort() };
  if (statement.Condition !== undefined) g.condition = statement.Condition;
  return g;
}

/** Every statement of a role's inline policies or of a managed policy, as grants in a stable order. */
export function grantsOf(template: Template, id: string): Grant[] {
  const p = resource(template, id).Properties ?? {};
  const documents = p.PolicyDocument
    ? [p.PolicyDocument]
    : toArray(p.Policies as Array<{ PolicyDocument: unknown }>).map((x) => x.PolicyDocument);
  const statements = documents.flatMap((d) => toArray((d as { Statement: Statement | Statement[] }).Statement));
  return sortGrants(statements.map(grant));
}

export function sortGrants(grants: Grant[]): Grant[] {
  return [...grants].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** Logical ids of the Lambda functions in the template. */
export function functionIds(template: Template): string[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([id]) => id);
}
