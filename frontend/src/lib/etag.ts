/**
 * ETag helpers. The backend's ETag for a todo is its integer `version` in
 * double quotes (`"3"`); edits send it back as `If-Match` so that a save based
 * on an old copy fails with 412 instead of silently overwriting someone else.
 */

/** The ETag / If-Match value for a todo version: 3 -> `"3"`. */
export function etagForVersion(version: number): string {
  return `"${version}"`;
}

/** The version inside an ETag header (`"3"` or weak `W/"3"`), or null. */
export function versionFromEtag(etag: string | null | undefined): number | null {
  if (!etag) return null;
  const match = /^(?:W\/)?"(\d+)"$/.exec(etag.trim());
  if (!match?.[1]) return null;
  return Number(match[1]);
}
