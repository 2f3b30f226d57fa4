import type { ProjectSettings, ProjectsConfig } from '../config';
import { signatureMatches } from './signature';

export interface Signer {
  /** The configured project id whose secret matched (`*` for the local wildcard). */
  projectId: string;
  settings: ProjectSettings;
}

/** Compares one secret's signature of the body with the header; injectable so tests can count the work. */
export type SignatureCheck = (secret: string, body: Buffer, header: string | undefined) => boolean;

/**
 * The project whose secret signed `body`, or undefined. Every configured secret is checked, in the
 * configuration's order, whatever project the body claims: the work (one HMAC per secret) and so
 * the response time do not depend on whether the claimed id is configured, and an unsigned caller
 * learns nothing about which ids exist. Among the matches, the project the body claims wins (the
 * claim is read from the raw JSON and used for nothing else), then the wildcard, then the first
 * other. The caller must still check that the signer is the project the payload names.
 */
export function findSigner(
  body: Buffer,
  header: string | undefined,
  projects: ProjectsConfig,
  check: SignatureCheck = signatureMatches,
): Signer | undefined {
  const claimed = claimedProjectId(body);
  let best: { rank: number; signer: Signer } | undefined;
  for (const [projectId, settings] of projects) {
    let matched = false;
    // `check(...) || matched`, not the reverse: every secret is checked even after one matched.
    for (const secret of settings.secrets) matched = check(secret, body, header) || matched;
    const rank = projectId === claimed ? 0 : projectId === '*' ? 1 : 2;
    if (matched && (best === undefined || rank < best.rank)) best = { rank, signer: { projectId, settings } };
  }
  return best?.signer;
}

function claimedProjectId(body: Buffer): string | undefined {
  try {
    const id = (JSON.parse(body.toString('utf8')) as { project_id?: unknown } | null)?.project_id;
    return typeof id === 'number' || typeof id === 'string' ? String(id) : undefined;
  } catch {
    return undefined;
  }
}
