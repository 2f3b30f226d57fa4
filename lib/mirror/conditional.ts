/**
 * Conditional GET rules of RFC 9110 §13, as plain functions over header values: the mirror answers
 * `304 Not Modified` with them, locally and in the tests. Nothing here knows about S3 or sockets.
 */

/** One entity tag of a list: its opaque value (quotes included) and whether it was marked weak. */
interface EntityTag {
  weak: boolean;
  opaque: string;
}

/**
 * The entity tags of an `If-None-Match` value: `*` (any current representation), or a comma list of
 * `"opaque"` / `W/"opaque"` tags. Unparseable members are skipped (they can match nothing); a value
 * with nothing usable is treated as absent, as §13.1.2 lets a recipient ignore an invalid field.
 */
export function parseEntityTags(value: string): '*' | EntityTag[] | undefined {
  const trimmed = value.trim();
  if (trimmed === '*') return '*';
  const tags: EntityTag[] = [];
  // A quoted opaque-tag may contain commas, so scan tags rather than split on commas.
  for (const m of trimmed.matchAll(/(W\/)?("[^"]*")/g)) {
    tags.push({ weak: m[1] !== undefined, opaque: m[2] ?? '' });
  }
  return tags.length > 0 ? tags : undefined;
}

/** Weak comparison (§8.8.3.2): the opaque tags are equal, whether either is marked weak or not. */
export function weakMatch(a: string, b: string): boolean {
  return opaqueOf(a) === opaqueOf(b);
}

function opaqueOf(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}

/** True when `If-None-Match` says the client's copy is current (its condition evaluates to false). */
export function noneMatchFails(ifNoneMatch: string, currentEtag: string): boolean | undefined {
  const tags = parseEntityTags(ifNoneMatch);
  if (tags === undefined) return undefined;
  if (tags === '*') return true;
  return tags.some((t) => weakMatch(`${t.weak ? 'W/' : ''}${t.opaque}`, currentEtag));
}

/**
 * An HTTP-date (IMF-fixdate, or the obsolete RFC 850 / asctime forms Date.parse also reads) as
 * epoch milliseconds; undefined for anything else, so an invalid `If-Modified-Since` is ignored.
 */
export function parseHttpDate(value: string): number | undefined {
  const trimmed = value.trim();
  // Date.parse accepts far more than HTTP-dates ("2024", "tomorrow" in some engines): require a
  // weekday name and a GMT zone as every HTTP-date form carries, or the asctime layout.
  if (!/^[A-Za-z]{3,9}, .+ GMT$/.test(trimmed) && !/^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/.test(trimmed)) return undefined;
  const ms = Date.parse(/GMT$/.test(trimmed) ? trimmed : `${trimmed} GMT`);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Whether a GET/HEAD may be answered `304` (§13.2.2): `If-None-Match` decides when present and
 * parseable, and `If-Modified-Since` is then ignored; otherwise `If-Modified-Since` holds when the
 * representation was not modified after that date (HTTP-dates have one-second resolution).
 */
export function notModified(headers: { ifNoneMatch?: string; ifModifiedSince?: string }, etag: string, lastModifiedMs: number): boolean {
  if (headers.ifNoneMatch !== undefined) {
    const fails = noneMatchFails(headers.ifNoneMatch, etag);
    if (fails !== undefined) return fails;
  }
  if (headers.ifModifiedSince === undefined) return false;
  const since = parseHttpDate(headers.ifModifiedSince);
  if (since === undefined) return false;
  return Math.floor(lastModifiedMs / 1000) * 1000 <= since;
}
