/**
 * Pure helpers for the /api/* proxy Route Handler (src/app/api/[...path]/route.ts).
 */

export const DEFAULT_BACKEND_URL = "http://127.0.0.1:8000";

/** Request headers passed to the backend. */
export const REQUEST_HEADERS = [
  "accept",
  "authorization",
  "content-type",
  "idempotency-key",
  "if-match",
  "if-none-match",
  "x-request-id",
];

/** Response headers passed back to the browser. */
export const RESPONSE_HEADERS = [
  "cache-control",
  "content-type",
  "etag",
  "link",
  "location",
  "retry-after",
  "www-authenticate",
  "x-request-id",
];

/**
 * `/api/todo/1?x=y` -> `<backendUrl>/todo/1?x=y`, trailing slashes kept.
 * `backendUrl` defaults to DEFAULT_BACKEND_URL when unset or empty.
 */
export function targetUrl(requestUrl: string, backendUrl: string | undefined): string {
  const base = (backendUrl?.trim() || DEFAULT_BACKEND_URL).replace(/\/+$/, "");
  const url = new URL(requestUrl);
  const path = url.pathname.replace(/^\/api(?=\/|$)/, "") || "/";
  return base + path + url.search;
}

/** A copy of `headers` holding only the allowed names. */
export function pickHeaders(headers: Headers, names: readonly string[]): Headers {
  const picked = new Headers();
  for (const name of names) {
    const value = headers.get(name);
    if (value !== null) picked.set(name, value);
  }
  return picked;
}
