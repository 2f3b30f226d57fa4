import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { type Found, lineOf, nodes, parse, ROOT, report, sourceFiles } from './sources';

/**
 * docs/configuration.md lists every environment variable the project reads. This guard finds the
 * names read in lib/, functions/, local/, bench/ and test/support/ and fails on any the page does
 * not mention. It sees the direct forms: `process.env.X`, `env.X`, `something.env.X`, `env['X']`,
 * and helper calls given the environment and a name (`int(env, 'X', 1)`, `required(env, 'X')`); a
 * name built at run time (`process.env[`AWS_ENDPOINT_URL_${service}`]`) counts by its fixed prefix.
 * A name it cannot see (`env[name]`) is allowed only in the config helpers, whose callers pass the
 * name as a literal.
 */
const DOC = 'docs/configuration.md';
const NAME = /^[A-Z][A-Z0-9_]*$/;
/** `int(env, name, …)`, `required(env, name)`, …: every caller is scanned for the literal name. */
const HELPERS = 'lib/config/index.ts';

/** `process.env`, `env`, `io.env`: an expression that is the environment. */
function isEnv(node: ts.Node): boolean {
  if (ts.isIdentifier(node)) return node.text === 'env';
  return ts.isPropertyAccessExpression(node) && node.name.text === 'env';
}

/** The variable names a file reads; a trailing `*` marks a prefix (a name built at run time). */
function envReads(file: string): Found<string>[] {
  const source = parse(file);
  const found: Found<string>[] = [];
  const add = (node: ts.Node, name: string) => found.push({ file, line: lineOf(source, node), value: name });
  for (const node of nodes(source)) {
    if (ts.isPropertyAccessExpression(node) && isEnv(node.expression) && NAME.test(node.name.text)) add(node, node.name.text);
    if (ts.isElementAccessExpression(node) && isEnv(node.expression)) {
      const arg = node.argumentExpression;
      if (ts.isStringLiteralLike(arg) && NAME.test(arg.text)) add(node, arg.text);
      else if (ts.isTemplateExpression(arg) && NAME.test(arg.head.text)) add(node, `${arg.head.text}*`);
      else if (!ts.isStringLiteralLike(arg)) add(node, `[${arg.getText(source)}]`);
    }
    if (ts.isCallExpression(node) && node.arguments.some(isEnv)) {
      for (const arg of node.arguments) if (ts.isStringLiteralLike(arg) && NAME.test(arg.text)) add(arg, arg.text);
    }
  }
  return found;
}

function documented(doc: string, name: string): boolean {
  if (name.endsWith('*')) return doc.includes(`\`${name.slice(0, -1)}`);
  return new RegExp(`(^|[^A-Z0-9_])${name}([^A-Z0-9_]|$)`).test(doc);
}

describe('environment variables', () => {
  const doc = readFileSync(join(ROOT, DOC), 'utf8');
  const reads = sourceFiles(['lib', 'functions', 'local', 'bench', 'test/support']).flatMap(envReads);

  it('finds the reads (the config loader, the functions, the local stack)', () => {
    const names = new Set(reads.map((r) => r.value));

    for (const name of [
      'DATAFILE_TABLE',
      'LOG_LEVEL',
      'FETCH_BUDGET_MS',
      'AWS_LAMBDA_FUNCTION_NAME',
      'LOCAL_DATA_DIR',
      'AWS_ENDPOINT_URL_*',
    ]) {
      expect(names).toContain(name);
    }
  });

  it('are each mentioned in docs/configuration.md', () => {
    const named = reads.filter((r) => !r.value.startsWith('['));

    expect(report(named.filter((r) => !documented(doc, r.value)))).toEqual([]);
  });

  it('are named where they are read (a computed name only in the config helpers)', () => {
    const computed = reads.filter((r) => r.value.startsWith('[') && r.file !== HELPERS);

    expect(report(computed)).toEqual([]);
  });

  it('are read by lib/config, not by the logger (self-check of the rule "core code never reads process.env")', () => {
    expect(reads.filter((r) => r.file === 'lib/log.ts' || r.file === 'lib/metrics.ts')).toEqual([]);
  });
});
