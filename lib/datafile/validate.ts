import { DatafileError } from '../errors';

export interface DatafileInfo {
  version: '2' | '3' | '4';
  projectId: string;
  revision: number;
}

/**
 * The checked facts plus the decoded text and the parsed datafile, so later steps (diff,
 * guardrails, the SDK check) need neither decode nor parse a large datafile again.
 */
export interface ValidDatafile extends DatafileInfo {
  text: string;
  document: Record<string, unknown>;
}

const VERSIONS = new Set(['2', '3', '4']);

/**
 * Checks the bytes are a datafile the Optimizely SDK accepts, for the expected project.
 * Throws `invalid_datafile` (502) naming what is wrong; never echoes the content.
 */
export function validateDatafile(bytes: Buffer, expectedProjectId: string): ValidDatafile {
  const text = bytes.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid('is not a JSON object');
  const { version, projectId, revision } = parsed as Record<string, unknown>;
  if (typeof version !== 'string' || !VERSIONS.has(version)) throw invalid('has an unsupported version (expected "2", "3" or "4")');
  if (typeof projectId !== 'string' || projectId !== expectedProjectId) {
    throw invalid(`belongs to another project (expected ${expectedProjectId})`);
  }
  // At most 12 digits, like the webhook's revision: history items sort by a 12-digit padded revision.
  if (typeof revision !== 'string' || !/^[1-9]\d{0,11}$/.test(revision)) throw invalid('has no valid revision');
  return {
    version: version as DatafileInfo['version'],
    projectId,
    revision: Number(revision),
    text,
    document: parsed as Record<string, unknown>,
  };
}

function invalid(what: string): DatafileError {
  return new DatafileError('invalid_datafile', `The fetched datafile ${what}.`);
}
