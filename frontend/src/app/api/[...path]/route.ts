/**
 * The /api/* proxy: the browser only ever talks to this site, and this Route
 * Handler forwards `/api/<path>?<query>` to `${BACKEND_URL}/<path>?<query>`.
 *
 * BACKEND_URL and MAX_BODY_BYTES are read on every request (not baked in at
 * build time), so one production build can point at any backend:
 * `BACKEND_URL=… npm start`.
 *
 * Only the headers the API uses are passed along in each direction; hop-by-hop
 * and encoding headers (Connection, Content-Length, Content-Encoding, …) are
 * left for Node to set correctly. X-Forwarded-For carries the one client
 * address server.mjs put there, so the backend throttles log-ins per browser,
 * not per frontend.
 *
 * Bodies are streamed, never held whole: a Content-Length over MAX_BODY_BYTES
 * is refused before anything is read or sent, and a body that turns out longer
 * stops the upload to the backend at the limit. Both get the backend's 413.
 *
 * Responses are streamed too, chunk by chunk as the backend sends them: the
 * live-updates stream (GET /events, text/event-stream) goes through here and
 * stays open for hours. Its heartbeat (a comment every 15 s) keeps Node's
 * fetch from timing it out (undici's bodyTimeout, 300 s, counts the time
 * between chunks, not the whole response). When the browser goes away, its
 * request's signal aborts the fetch, which closes the connection to the
 * backend, so the backend's stream ends too.
 */

import { crossSiteRefusal, isSafeMethod } from "@/lib/csrf";
import {
  bodyLimitFor,
  bodyTooLarge,
  browserResponse,
  forwardedClient,
  limitBody,
  pickHeaders,
  refuseDeclaredBody,
  REQUEST_HEADERS,
  targetUrl,
} from "@/lib/proxy";
import { cameOverHttps, clearedSessionCookie, sessionCookie, sessionToken } from "@/lib/session-cookie";

export const dynamic = "force-dynamic";

/** Answers that hand the browser a new session token (the backend's `Token` body). */
const TOKEN_ISSUERS = new Set(["POST /api/auth/login", "PUT /api/me/password"]);
const LOG_OUT = "POST /api/auth/logout";

async function proxy(request: Request): Promise<Response> {
  const pathname = new URL(request.url).pathname.replace(/\/+$/, "");
  const route = `${request.method.toUpperCase()} ${pathname}`;
  const https = cameOverHttps(request.headers);
  const bearer = request.headers.has("authorization");
  if (!bearer && !isSafeMethod(request.method)) {
    const crossSite = crossSiteRefusal(request.headers);
    if (crossSite) return Response.json({ detail: crossSite }, { status: 403 });
  }
  if (route === LOG_OUT) return loggedOut(request, https);

  const limit = bodyLimitFor(new URL(request.url).pathname, process.env);
  const refusal = refuseDeclaredBody(request.headers.get("content-length"), limit);
  if (refusal) return refusal;

  const headers = pickHeaders(request.headers, REQUEST_HEADERS);
  // The session cookie stands in for the header; never on log-in, which starts a new session.
  const cookieToken = bearer || route === "POST /api/auth/login" ? null : sessionToken(request.headers);
  if (cookieToken !== null) headers.set("authorization", `Bearer ${cookieToken}`);
  const client = forwardedClient(request.headers.get("x-forwarded-for"));
  if (client !== null) headers.set("x-forwarded-for", client);
  // Aborted when the body passes the limit: the upload stops there.
  const upload = new AbortController();
  const body =
    request.body &&
    limitBody(request.body, limit, () => {
      upload.abort();
    });
  // `duplex: "half"` is how fetch takes a streamed body; TypeScript's DOM types lack it.
  const init: RequestInit & { duplex: "half" } = {
    method: request.method,
    headers,
    body,
    duplex: "half",
    // Either ends the request to the backend: a body past the limit, or the browser gone.
    signal: AbortSignal.any([upload.signal, request.signal]),
    redirect: "manual",
    cache: "no-store",
  };
  let upstream: Response;
  try {
    upstream = await fetch(targetUrl(request.url, process.env.BACKEND_URL), init);
  } catch {
    if (upload.signal.aborted) return bodyTooLarge(limit);
    // The browser left before the backend answered: nobody reads this (499: nginx's "client closed request").
    if (request.signal.aborted) return new Response(null, { status: 499 });
    return Response.json({ detail: "The backend is not reachable." }, { status: 502 });
  }
  if (TOKEN_ISSUERS.has(route) && upstream.ok) return startedSession(upstream, https);
  // A page (HTML) from the backend is never passed on: see browserResponse.
  const response = browserResponse(upstream);
  // The cookie's token is no good any more (expired, revoked): the browser forgets it.
  if (upstream.status === 401 && cookieToken !== null) response.headers.append("set-cookie", clearedSessionCookie(https));
  return response;
}

/** 204, with the token of the backend's answer in the session cookie and nowhere else. */
async function startedSession(upstream: Response, https: boolean): Promise<Response> {
  let token: unknown;
  try {
    token = ((await upstream.json()) as { access_token?: unknown }).access_token;
  } catch {
    token = undefined;
  }
  if (typeof token !== "string" || token === "") {
    return Response.json({ detail: "The backend's answer held no session." }, { status: 502 });
  }
  const headers = new Headers({ "cache-control": "no-store", "set-cookie": sessionCookie(token, https) });
  const requestId = upstream.headers.get("x-request-id");
  if (requestId !== null) headers.set("x-request-id", requestId);
  return new Response(null, { status: 204, headers });
}

/**
 * 204, and the browser forgets its session cookie, after the backend has ended
 * the session (so its token is refused even if a copy of the cookie lives on,
 * and it leaves the account's signed-in devices). The cookie goes whatever the
 * backend says: a session it no longer knows is ended all the same.
 */
async function loggedOut(request: Request, https: boolean): Promise<Response> {
  const token = sessionToken(request.headers);
  if (token !== null) {
    const headers = new Headers({ authorization: `Bearer ${token}` });
    const requestId = request.headers.get("x-request-id");
    if (requestId !== null) headers.set("x-request-id", requestId);
    try {
      const upstream = await fetch(targetUrl(request.url, process.env.BACKEND_URL), {
        method: "POST",
        headers,
        redirect: "manual",
        cache: "no-store",
        signal: request.signal,
      });
      void upstream.body?.cancel().catch(() => undefined);
    } catch {
      // The backend is unreachable: the cookie still goes, and the session ends at its expiry.
    }
  }
  return new Response(null, {
    status: 204,
    headers: { "cache-control": "no-store", "set-cookie": clearedSessionCookie(https) },
  });
}

export const GET = proxy;
export const HEAD = proxy;
export const POST = proxy;
export const PUT = proxy;
export const PATCH = proxy;
export const DELETE = proxy;
export const OPTIONS = proxy;
