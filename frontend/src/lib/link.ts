/**
 * Pagination helpers for the backend's `Link` response header.
 *
 * The backend answers `GET /todo` with
 *   Link: <http://backend:8000/todo?limit=50&cursor=XYZ>; rel="next"
 * when more todos exist. That URL names the backend's own host, which the
 * browser cannot reach (it only talks to the frontend's /api proxy), so we
 * never follow it: we pull out the opaque `cursor` and hand it back to the
 * typed client.
 */

/** Splits a Link header into its `<url>; params` parts, ignoring commas inside `<…>`. */
function splitLinkHeader(header: string): string[] {
  const parts: string[] = [];
  let current = "";
  let insideUrl = false;
  for (const char of header) {
    if (char === "<") insideUrl = true;
    if (char === ">") insideUrl = false;
    if (char === "," && !insideUrl) {
      parts.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part.length > 0);
}

/** Returns the URL of the link whose `rel` includes `relation`, or null. */
export function findLink(header: string | null | undefined, relation: string): string | null {
  if (!header) return null;
  for (const part of splitLinkHeader(header)) {
    const match = /^<([^>]*)>(.*)$/.exec(part);
    if (!match) continue;
    const [, url = "", params = ""] = match;
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(params);
    const relValues = (rel?.[1] ?? rel?.[2] ?? "").toLowerCase().split(/\s+/);
    if (relValues.includes(relation.toLowerCase())) return url;
  }
  return null;
}

/** The `cursor` query parameter of the `rel="next"` link, or null on the last page. */
export function nextCursorFromLink(header: string | null | undefined): string | null {
  const url = findLink(header, "next");
  if (url === null) return null;
  try {
    // A base makes relative links (`/todo?cursor=…`) parse as well as absolute ones.
    return new URL(url, "http://link.invalid").searchParams.get("cursor");
  } catch {
    return null;
  }
}
