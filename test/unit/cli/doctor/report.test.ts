import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPTIONAL_STACK_OUTPUTS, STACK_OUTPUTS } from '../../../../lib/aws/stack';
import { fail, pass, renderLine, scrub, skip } from '../../../../lib/cli/doctor/report';

describe('doctor lines', () => {
  it('render ✓, ✗ with the fix on the same line, and - for a skipped check', () => {
    const lines = [pass('table', 't reachable'), fail('bucket', 'bucket b not found', 'redeploy'), skip('stack', 'no stack locally')].map(
      renderLine,
    );

    expect(lines).toEqual([
      '✓ table         t reachable',
      '✗ bucket        bucket b not found — fix: redeploy',
      '- stack         skipped: no stack locally',
    ]);
  });

  it('blank out every loaded secret, wherever it appears in a line', () => {
    const line = 'could not read (AccessDenied: value s3cr3t-value-1 and s3cr3t-value-1 again)';

    expect(scrub(line, ['s3cr3t-value-1', 'unrelated'])).toBe('could not read (AccessDenied: value [REDACTED] and [REDACTED] again)');
  });
});

describe('STACK_OUTPUTS', () => {
  it('lists exactly the outputs infra/outputs.yml defines (plus the optional ones, if defined)', () => {
    const yml = readFileSync(join(__dirname, '../../../../infra/outputs.yml'), 'utf8');
    const defined = [...yml.matchAll(/^ {2}([A-Za-z0-9]+):\s*$/gm)].map((m) => m[1]);

    const optional: readonly string[] = OPTIONAL_STACK_OUTPUTS;
    expect(defined.filter((o) => !optional.includes(o ?? '')).sort()).toEqual([...STACK_OUTPUTS].sort());
  });
});
