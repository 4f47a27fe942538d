/**
 * The Content-Security-Policy of every HTML page, and the other security
 * headers. Pure functions: `src/proxy.ts` (Next.js' request hook, unrelated to
 * the /api/* proxy in `src/lib/proxy.ts`) calls them once per request, and
 * `next.config.ts` sets the static headers on every response.
 *
 * The policy is nonce-based ("strict CSP"): a script runs only if it carries
 * this response's random nonce (Next.js adds it to its own <script> tags when
 * it finds `'nonce-…'` in the request's Content-Security-Policy header), or if
 * such a script loaded it ('strict-dynamic'). Nothing is allowed by host name,
 * so an injected <script src> or inline handler does not run.
 */

export interface PolicyOptions {
  /** This response's nonce, from `newNonce()`. */
  nonce: string;
  /**
   * `next dev` only, never a production build: React reconstructs server
   * error stacks in the browser with `eval` ('unsafe-eval'), and Next's dev
   * overlay injects <style> elements without the nonce ('unsafe-inline' for
   * styles, which browsers ignore when a nonce is listed, so the nonce is
   * left out of style-src there).
   */
  development: boolean;
}

/** A nonce must be unguessable and fresh per response: 128 random bits, base64. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/** The directives, in order, as [name, ...sources]. */
export function policyDirectives({ nonce, development }: PolicyOptions): string[][] {
  const scriptSources = ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"];
  if (development) scriptSources.push("'unsafe-eval'");
  return [
    ["default-src", "'self'"],
    ["script-src", ...scriptSources],
    ["style-src", "'self'", development ? "'unsafe-inline'" : `'nonce-${nonce}'`],
    // The browser only talks to this origin (/api/* is proxied to the backend).
    ["connect-src", "'self'"],
    ["object-src", "'none'"],
    ["base-uri", "'none'"],
    ["form-action", "'self'"],
    ["frame-ancestors", "'none'"],
  ];
}

/** The Content-Security-Policy header value. */
export function contentSecurityPolicy(options: PolicyOptions): string {
  return policyDirectives(options)
    .map((directive) => directive.join(" "))
    .join("; ");
}

/**
 * Headers for every response, pages and /api/* alike (set in next.config.ts).
 * They match what the backend sends on its own responses.
 */
export const STATIC_SECURITY_HEADERS: readonly { key: string; value: string }[] = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "no-referrer" },
  // For browsers that predate CSP's frame-ancestors.
  { key: "X-Frame-Options", value: "DENY" },
];
