import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The deploy commands operators copy from the docs. An SSM parameter or a table is regional: a command
// without --region acts in the CLI's default region, so the stack (deployed with --region) never
// sees the parameter it was told to read.
const ROOT = join(__dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The code in a Markdown text (fenced blocks, indented or not, then inline spans), continuation lines joined. */
function codeOf(markdown: string): string[] {
  const fenced = [...markdown.matchAll(/^ *```[^\n]*\n([\s\S]*?)^ *```/gm)].map((m) => m[1] as string);
  const rest = markdown.replace(/^ *```[^\n]*\n[\s\S]*?^ *```/gm, '');
  const inline = [...rest.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
  return [...fenced.flatMap((block) => block.replace(/\\\n\s*/g, ' ').split('\n')), ...inline].map((c) => c.replace(/\s+/g, ' ').trim());
}

/** A `## Title` section of a Markdown text, up to the next `## ` heading. */
function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`no section "${title}"`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

describe('the deploy documentation', () => {
  it('README "Deploy": every command runs in the one region the stack is deployed to', () => {
    const commands = codeOf(section(read('README.md'), 'Deploy')).filter((c) => /^(aws|npx serverless|npx datafile-sync) /.test(c));

    expect(commands.length).toBeGreaterThanOrEqual(3);
    expect(commands.some((c) => c.startsWith('aws ssm put-parameter '))).toBe(true);
    for (const command of commands) expect([command, / --region eu-west-1( |$)/.test(command)]).toEqual([command, true]);
  });

  it('docs/deploy.md: every aws command on a regional service names the region (IAM is global)', () => {
    const commands = codeOf(read('docs/deploy.md')).filter((c) => /^aws [a-z0-9-]+ [a-z-]+ /.test(c) && !c.startsWith('aws iam '));

    expect(commands.some((c) => c.startsWith('aws ssm put-parameter '))).toBe(true);
    for (const command of commands) expect([command, / --region \S+/.test(command)]).toEqual([command, true]);
  });
});
