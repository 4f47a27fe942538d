/**
 * Cross-site request forgery: the browser sends the session cookie with every
 * request to this site, whichever page started it, so an unsafe request (any
 * method but GET, HEAD and OPTIONS) that would use the cookie must prove it
 * came from one of this site's own pages. Browsers say where a request came
 * from in two headers a page cannot forge: `Sec-Fetch-Site` (Fetch Metadata)
 * and `Origin`. The rule (docs/security.md):
 *
 * - `Sec-Fetch-Site`, when sent, must be `same-origin` (`same-site` is refused
 *   too: another port or subdomain is another origin);
 * - `Origin`, when sent, must be this site's own origin (scheme, host, port);
 * - a request with neither is refused: every browser this app supports sends
 *   at least one on an unsafe request, so their absence means a client that
 *   is not one of our pages.
 *
 * Bearer-token clients (an `Authorization` header) are not asked: a page on
 * another site cannot make a browser attach one without a CORS preflight this
 * server never grants. No GET changes anything on the backend (DESIGN.md), so
 * safe methods pass.
 */

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/** This site's origin as the browser sees it: scheme (per server.mjs) and Host. */
export function ownOrigin(headers: Headers): string | null {
  const host = headers.get("host");
  if (!host) return null;
  const scheme = headers.get("x-forwarded-proto") === "https" ? "https" : "http";
  try {
    return new URL(`${scheme}://${host}`).origin;
  } catch {
    return null;
  }
}

/** Why an unsafe cookie request is refused, or null when it may go on. */
export function crossSiteRefusal(headers: Headers): string | null {
  const site = headers.get("sec-fetch-site");
  const origin = headers.get("origin");
  if (site === null && origin === null) {
    return "Refused: the request does not say which page sent it (no Origin or Sec-Fetch-Site header).";
  }
  if (site !== null && site !== "same-origin") {
    return "Refused: the request was sent by a page of another site.";
  }
  if (origin !== null && origin !== ownOrigin(headers)) {
    return "Refused: the request was sent by a page of another origin.";
  }
  return null;
}
