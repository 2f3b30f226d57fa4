import type { ProjectSettings, ProjectsConfig } from '../config';
import { signatureMatches } from './signature';

export interface Signer {
  /** The configured project id whose secret matched (`*` for the local wildcard). */
  projectId: string;
  settings: ProjectSettings;
}

/**
 * The project whose secret signed `body`, or undefined. Candidates are the project the body
 * claims (read from the raw JSON, used for nothing else) and the wildcard; when the claim names no
 * configured project, every configured secret is tried, so an unsigned caller learns nothing about
 * which ids exist. The caller must still check that the signer is the project the payload names.
 */
export function findSigner(body: Buffer, header: string | undefined, projects: ProjectsConfig): Signer | undefined {
  const claimed = claimedProjectId(body);
  const known = claimed !== undefined && projects.has(claimed);
  const candidates = [...projects.entries()].filter(([id]) => !known || id === claimed || id === '*');
  for (const [projectId, settings] of candidates) {
    if (settings.secrets.some((secret) => signatureMatches(secret, body, header))) return { projectId, settings };
  }
  return undefined;
}

function claimedProjectId(body: Buffer): string | undefined {
  try {
    const id = (JSON.parse(body.toString('utf8')) as { project_id?: unknown } | null)?.project_id;
    return typeof id === 'number' || typeof id === 'string' ? String(id) : undefined;
  } catch {
    return undefined;
  }
}
