import type { Template } from './template';

/**
 * The names a template value refers to the way CloudFormation orders creation by them: `Ref`,
 * `Fn::GetAtt` (list or "Logical.Attr" form) and `Fn::Sub` (`${Name}` and `${Name.Attr}`, not
 * `${!Literal}` nor the names of the Sub's own variable map). Every branch of an `Fn::If` counts.
 */
export function references(value: unknown): string[] {
  const found: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(walk);
      return;
    }
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o.Ref === 'string') found.push(o.Ref);
    const getAtt = o['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') found.push(getAtt[0]);
    if (typeof getAtt === 'string') found.push(getAtt.split('.')[0] as string);
    const sub = o['Fn::Sub'];
    if (sub !== undefined) {
      const [text, vars] = Array.isArray(sub) ? (sub as [string, Record<string, unknown>?]) : [sub as string, undefined];
      const own = new Set(Object.keys(vars ?? {}));
      for (const [, name] of String(text).matchAll(/\$\{([^!}][^}]*)\}/g)) {
        const target = (name as string).trim().split('.')[0] as string;
        if (!own.has(target)) found.push(target);
      }
      walk(vars);
    }
    for (const [key, x] of Object.entries(o)) if (key !== 'Ref' && key !== 'Fn::GetAtt' && key !== 'Fn::Sub') walk(x);
  };
  walk(value);
  return found;
}

/** Logical id → the resources it must wait for (references in its definition, and DependsOn). */
export function dependencyGraph(template: Template): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const [id, r] of Object.entries(template.Resources)) {
    const { DependsOn, ...rest } = r;
    const targets = [...references(rest), ...(DependsOn === undefined ? [] : [DependsOn].flat())];
    graph.set(id, new Set(targets.filter((t) => t in template.Resources)));
  }
  return graph;
}

/** References to a name that is neither a resource, a parameter nor an `AWS::` pseudo parameter. */
export function danglingReferences(template: Template): string[] {
  const parameters = (template as { Parameters?: Record<string, unknown> }).Parameters ?? {};
  const known = (name: string) => name in template.Resources || name in parameters || name.startsWith('AWS::');
  const dangling: string[] = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    const { DependsOn, ...rest } = r;
    for (const name of [...references(rest), ...(DependsOn === undefined ? [] : [DependsOn].flat())]) {
      if (!known(name)) dangling.push(`${id} → ${name}`);
    }
  }
  for (const [id, o] of Object.entries(template.Outputs ?? {})) {
    for (const name of references(o)) if (!known(name)) dangling.push(`Outputs.${id} → ${name}`);
  }
  return dangling;
}

/**
 * The dependency cycles CloudFormation would refuse the template for ("Circular dependency between
 * resources"), each as the sorted logical ids of one strongly connected component (Tarjan), plus any
 * resource that depends on itself.
 */
export function dependencyCycles(template: Template): string[][] {
  const graph = dependencyGraph(template);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (id: string): void => {
    index.set(id, next);
    low.set(id, next);
    next++;
    stack.push(id);
    onStack.add(id);
    for (const to of graph.get(id) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(id, Math.min(low.get(id) as number, low.get(to) as number));
      } else if (onStack.has(to)) {
        low.set(id, Math.min(low.get(id) as number, index.get(to) as number));
      }
    }
    if (low.get(id) === index.get(id)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== id);
      if (component.length > 1 || graph.get(id)?.has(id)) cycles.push(component.sort());
    }
  };
  for (const id of graph.keys()) if (!index.has(id)) visit(id);
  return cycles.sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
}
