/** The key a datafile is stored under: an SDK key, or a project id for legacy URLs. */
const KEY = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The datafile key from a datafile URL's path: `/datafiles/{sdkKey}.json`,
 * `/datafiles/auth/{sdkKey}.json` (secure environments) or legacy `/json/{projectId}.json`.
 * Returns undefined for any other shape.
 */
export function keyFromUrl(raw: string): string | undefined {
  let path: string;
  try {
    path = new URL(raw).pathname;
  } catch {
    return undefined;
  }
  // A path prefix is tolerated (mirrors and proxies put one in front); the tail decides.
  const modern = /\/datafiles\/(?:auth\/)?([^/]+)\.json$/.exec(path)?.[1];
  const legacy = /\/json\/(\d+)\.json$/.exec(path)?.[1];
  const key = modern ?? legacy;
  return key && KEY.test(key) ? key : undefined;
}

/** True for a string usable as a datafile key (also what the CLI and reader accept). */
export function isValidKey(key: string): boolean {
  return KEY.test(key);
}
