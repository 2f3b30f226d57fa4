import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';

/**
 * The guard tests (test/unit/guards/) keep the "one home per concept" rules of the code base: they
 * read the project's own source, parsed with the TypeScript compiler so comments never count, and
 * fail on code that spells a concept out somewhere other than its home. They test the code base,
 * not one module, which is why they are the one folder of test/unit that mirrors no lib/ module.
 */

export const ROOT = join(__dirname, '..', '..', '..');

/** Where the rules apply: everything that ships or runs (functions, CLI, local stack, bench) and the test support. */
export const SCANNED_DIRS = ['lib', 'functions', 'local', 'bench', 'test/support'] as const;

/** Repo-relative paths (forward slashes) of every TypeScript source under `dirs`. */
export function sourceFiles(dirs: readonly string[] = SCANNED_DIRS): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
    }
  };
  for (const dir of dirs) walk(dir);
  return out.sort();
}

export function parse(path: string): ts.SourceFile {
  return ts.createSourceFile(path, readFileSync(join(ROOT, path), 'utf8'), ts.ScriptTarget.Latest, false);
}

/** One node of interest in a file, with its 1-based line (for the failure message). */
export interface Found<T> {
  file: string;
  line: number;
  value: T;
}

/** Every node of a file, depth first. */
export function* nodes(source: ts.SourceFile): Generator<ts.Node> {
  const stack: ts.Node[] = [source];
  while (stack.length > 0) {
    const node = stack.pop() as ts.Node;
    yield node;
    const children: ts.Node[] = [];
    ts.forEachChild(node, (child) => {
      children.push(child);
    });
    stack.push(...children.reverse());
  }
}

export function lineOf(source: ts.SourceFile, node: ts.Node): number {
  return source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
}

/**
 * The text of every string literal, template part and regular expression of a file, as written
 * between its delimiters (the cooked text of strings; the source text of a regex). Comments are not
 * literals, so they never appear here.
 */
export function literals(file: string): Found<string>[] {
  const source = parse(file);
  const out: Found<string>[] = [];
  for (const node of nodes(source)) {
    const literal =
      ts.isStringLiteralLike(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node) ||
      ts.isRegularExpressionLiteral(node);
    if (literal) out.push({ file, line: lineOf(source, node), value: node.text });
  }
  return out;
}

/** `file:line: what` lines, one per finding, for a failure message that names every offender. */
export function report<T>(found: Found<T>[], show: (value: T) => string = String): string[] {
  return found.map((f) => `${f.file}:${f.line}: ${show(f.value)}`);
}
