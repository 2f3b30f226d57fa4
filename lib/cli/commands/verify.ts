import { objectFacts } from '../../aws/inspect';
import { aliasObjectKey } from '../../layout';
import type { Pointer } from '../../sync/ports';
import { EXIT, NotFoundError } from '../exit';
import type { CliIo } from '../io';
import type { Target } from '../target';

/**
 * `verify [key]`: audit that every history item's S3 object exists and its bytes hash to the
 * recorded sha256, that the pointer names a stored revision, and that latest.json equals the
 * pointer (bytes and metadata). Prints each problem; exit 1 when there is any.
 */
export async function verify(target: Target, io: CliIo, key: string | undefined): Promise<number> {
  await target.check({ bucket: true });
  const pointers: Pointer[] = [];
  if (key) {
    const one = await target.ledger.getPointer(key);
    if (!one) throw new NotFoundError(`Key ${key} not found in ${target.table}.`);
    pointers.push(one);
  } else {
    for await (const p of target.ledger.listPointers()) pointers.push(p);
  }
  let problems = 0;
  let objects = 0;
  for (const pointer of pointers) {
    const found = await verifyKey(target, io, pointer);
    problems += found.problems;
    objects += found.objects;
  }
  const summary = `${pointers.length} key(s), ${objects} object(s) checked, ${problems} problem(s).`;
  io.out(problems === 0 ? `OK: ${summary}` : `FAILED: ${summary}`);
  return problems === 0 ? EXIT.ok : EXIT.problems;
}

async function verifyKey(target: Target, io: CliIo, pointer: Pointer): Promise<{ problems: number; objects: number }> {
  const history = await target.ledger.history(pointer.key);
  io.err(`Verifying ${pointer.key}: ${history.length} revision(s)…`);
  let problems = 0;
  const problem = (text: string) => {
    problems++;
    io.out(`${pointer.key}: ${text}`);
  };
  for (const rev of history) {
    const facts = await objectFacts(target.s3, target.bucket, rev.s3Key);
    if (!facts) problem(`revision ${rev.revision}: object ${rev.s3Key} is missing`);
    else if (facts.sha256 !== rev.sha256)
      problem(`revision ${rev.revision}: ${rev.s3Key} has sha256 ${facts.sha256}, recorded ${rev.sha256}`);
  }
  const recorded = history.find((r) => r.revision === pointer.revision);
  if (!recorded) problem(`pointer names revision ${pointer.revision}, which is not in history`);
  else if (recorded.sha256 !== pointer.sha256) problem(`pointer sha256 ${pointer.sha256} differs from history ${recorded.sha256}`);
  const alias = await objectFacts(target.s3, target.bucket, aliasObjectKey(pointer.key));
  if (!alias) problem('latest.json is missing');
  else {
    if (alias.sha256 !== pointer.sha256)
      problem(`latest.json holds sha256 ${alias.sha256}, pointer says ${pointer.sha256} (revision ${pointer.revision})`);
    if (alias.metadata.revision !== String(pointer.revision))
      problem(`latest.json metadata says revision ${alias.metadata.revision}, pointer ${pointer.revision}`);
  }
  return { problems, objects: history.length + 1 };
}
