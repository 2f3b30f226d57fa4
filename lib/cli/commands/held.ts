import { NotFoundError } from '../exit';
import { type CliIo, table } from '../io';
import type { Target } from '../target';

/**
 * `held [key]`: revisions guardrails held and no operator approved, with their violations and the
 * live revision. `waiting` = ahead of the live revision (approve would put it live); `passed` = the
 * pointer has since moved beyond it (nothing to do).
 */
export async function held(target: Target, io: CliIo, key: string | undefined, json: boolean): Promise<number> {
  await target.check();
  if (key !== undefined && !(await target.ledger.getPointer(key)) && (await target.ledger.history(key)).length === 0) {
    throw new NotFoundError(`Key ${key} not found in ${target.table}.`);
  }
  const revisions = await target.ledger.held(key);
  const live = new Map<string, number | undefined>();
  for (const k of new Set(revisions.map((r) => r.key))) live.set(k, (await target.ledger.getPointer(k))?.revision);
  const rows = revisions.map((r) => {
    const current = live.get(r.key);
    return { ...r, live: current ?? null, state: current !== undefined && current >= r.revision ? 'passed' : 'waiting' };
  });
  if (json) {
    io.out(JSON.stringify(rows, null, 2));
    return 0;
  }
  if (rows.length === 0) {
    io.out(key === undefined ? 'No held revisions.' : `No held revisions of ${key}.`);
    return 0;
  }
  const cells = rows.map((r) => [
    r.key,
    String(r.revision),
    r.storedAt,
    r.live === null ? '-' : String(r.live),
    r.state,
    (r.violations ?? []).map((v) => `${v.rule}: ${v.message}`).join(' | '),
  ]);
  for (const line of table(['KEY', 'REVISION', 'STORED', 'LIVE', 'STATE', 'VIOLATIONS'], cells)) io.out(line);
  const waiting = rows.find((r) => r.state === 'waiting');
  if (waiting) io.out(`Review with: datafile-sync diff ${waiting.key} ${waiting.live ?? ''} ${waiting.revision}`.replace('  ', ' '));
  return 0;
}
