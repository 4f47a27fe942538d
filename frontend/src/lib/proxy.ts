/**
 * Pure helpers for the /api/* proxy Route Handler (src/app/api/[...path]/route.ts).
 */

import { isIP } from "node:net";

export const DEFAULT_BACKEND_URL = "http://127.0.0.1:8000";

/** The backend's default for the same setting: one limit whichever side a body reaches first. */
export const DEFAULT_MAX_BODY_BYTES = 65536;
/** The backend's IMPORT_MAX_BYTES default: the one larger body, an import file. */
export const DEFAULT_IMPORT_MAX_BYTES = 4 * 1024 * 1024;
const IMPORT_PATHS = new Set(["/api/me/import", "/api/me/import/todomvc"]);

/** Request headers passed to the backend. */
export const REQUEST_HEADERS = [
  "accept",
  "authorization",
  "content-type",
  "idempotency-key",
  "if-match",
  "if-none-match",
  // The live stream's resume point (GET /events).
  "last-event-id",
  // The browser's, so a log-in's session is described as the device it is
  // ("Firefox 133 on Ubuntu" in the account page's signed-in devices).
  "user-agent",
  // Read-your-writes across read replicas (src/api/client.ts).
  "x-consistency-token",
  "x-request-id",
];

/**
 * Response headers passed back to the browser. For the live stream
 * (text/event-stream), `cache-control: no-transform` is what keeps Next.js'
 * gzip (the `compression` middleware) from holding events back in its
 * buffer, and `x-accel-buffering: no` tells an nginx in front of this
 * server not to buffer them either.
 */
export const RESPONSE_HEADERS = [
  "cache-control",
  "content-type",
  "etag",
  "link",
  "location",
  "retry-after",
  "www-authenticate",
  "x-accel-buffering",
  "x-consistency-token",
  "x-request-id",
];

/** The media type of a Content-Type value, lower case, without parameters; "" when there is none. */
function mediaType(contentType: string | null): string {
  return (contentType ?? "").split(";", 1)[0]?.trim().toLowerCase() ?? "";
}

/**
 * Content types a browser renders as a document that can run script when it is
 * opened as a page: HTML, and XML (XHTML and SVG among it) with its script
 * elements. The API answers JSON and text/event-stream, none of these.
 */
export function isDocumentType(contentType: string | null): boolean {
  const type = mediaType(contentType);
  return type === "text/html" || type === "text/xml" || type === "application/xml" || type.endsWith("+xml");
}

/**
 * What the browser gets for the backend's answer: its status, the allowed
 * headers and its body, streamed as it comes.
 *
 * Except a page (isDocumentType), from any path: its body is dropped and the
 * browser gets a JSON error instead, with the backend's status when that is an
 * error (an HTML 503 from a proxy in front of the backend stays a 503), else
 * 502. Passed on, the page would run on this site's origin with no
 * Content-Security-Policy (src/proxy.ts gives pages theirs and does not run for
 * /api/*). Copying the backend's policy would not do either: the backend's
 * Swagger UI and ReDoc (/docs, /redoc) carry one written for the backend's own
 * origin, where 'self' is the API alone, and Swagger UI keeps the bearer token
 * it is given in localStorage, which here it would share with the app. They
 * are opened at the backend's address; this origin needs only the API.
 */
export function browserResponse(upstream: Response): Response {
  const contentType = upstream.headers.get("content-type");
  if (!isDocumentType(contentType)) {
    return new Response(upstream.body, {
      status: upstream.status,
      statusText: upstream.statusText,
      headers: pickHeaders(upstream.headers, RESPONSE_HEADERS),
    });
  }
  // Nobody reads the page: release the connection to the backend.
  void upstream.body?.cancel().catch(() => undefined);
  return Response.json(
    {
      detail: `The backend answered with a page (${mediaType(contentType)}), which /api/* does not pass on; the API docs are at the backend's own address.`,
    },
    {
      status: upstream.status >= 400 ? upstream.status : 502,
      headers: pickHeaders(upstream.headers, ["retry-after", "x-request-id"]),
    },
  );
}

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

/**
 * The client address to tell the backend: X-Forwarded-For as server.mjs left it,
 * one address it worked out from the socket. Anything else (no header, a list,
 * text) is not passed on, and the backend then sees this server as the client.
 */
export function forwardedClient(forwardedFor: string | null): string | null {
  return forwardedFor !== null && isIP(forwardedFor) !== 0 ? forwardedFor : null;
}

/**
 * MAX_BODY_BYTES (read per request, like BACKEND_URL): DEFAULT_MAX_BODY_BYTES
 * when unset or empty. Anything but a whole number ≥ 1024 (the backend's own
 * floor) throws, so a typo shows up at once instead of as a different limit.
 */
export function maxBodyBytes(
  setting: string | undefined,
  name = "MAX_BODY_BYTES",
  fallback = DEFAULT_MAX_BODY_BYTES,
): number {
  const text = setting?.trim() ?? "";
  if (text === "") return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= 1024)) throw new Error(`${name} must be a whole number of bytes, at least 1024, not "${text}"`);
  return value;
}

/**
 * The body limit for a request to `pathname`: IMPORT_MAX_BYTES for the import
 * routes (as the backend has it), MAX_BODY_BYTES for every other.
 */
export function bodyLimitFor(pathname: string, env: Record<string, string | undefined>): number {
  return IMPORT_PATHS.has(pathname)
    ? maxBodyBytes(env.IMPORT_MAX_BYTES, "IMPORT_MAX_BYTES", DEFAULT_IMPORT_MAX_BYTES)
    : maxBodyBytes(env.MAX_BODY_BYTES);
}

/** 413 with the backend's wording. */
export function bodyTooLarge(limit: number): Response {
  return Response.json({ detail: `Request body exceeds ${limit} bytes` }, { status: 413 });
}

/**
 * The answer to a request whose Content-Length already says too much (413) or
 * is not a number (400), before a byte of the body is read; null to go on.
 */
export function refuseDeclaredBody(contentLength: string | null, limit: number): Response | null {
  if (contentLength === null) return null;
  if (!/^\d+$/.test(contentLength)) return Response.json({ detail: "Invalid Content-Length header" }, { status: 400 });
  return Number(contentLength) > limit ? bodyTooLarge(limit) : null;
}

/**
 * `body` passed through chunk by chunk while at most `limit` bytes have come,
 * so a body is never held whole. The chunk that goes past the limit is not
 * passed on: `onTooLarge` runs and the stream fails, which fails the upload
 * reading from it.
 */
export function limitBody(body: ReadableStream<Uint8Array>, limit: number, onTooLarge: () => void): ReadableStream<Uint8Array> {
  let received = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        received += chunk.byteLength;
        if (received <= limit) {
          controller.enqueue(chunk);
          return;
        }
        onTooLarge();
        controller.error(new RangeError(`Request body exceeds ${limit} bytes`));
      },
    }),
  );
}
