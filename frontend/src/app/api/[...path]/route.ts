/**
 * The /api/* proxy: the browser only ever talks to this site, and this Route
 * Handler forwards `/api/<path>?<query>` to `${BACKEND_URL}/<path>?<query>`.
 *
 * BACKEND_URL is read on every request (not baked in at build time), so one
 * production build can point at any backend: `BACKEND_URL=… npm start`.
 *
 * Only the headers the API uses are passed along in each direction; hop-by-hop
 * and encoding headers (Connection, Content-Length, Content-Encoding, …) are
 * left for Node to set correctly.
 */

import { pickHeaders, REQUEST_HEADERS, RESPONSE_HEADERS, targetUrl } from "@/lib/proxy";

export const dynamic = "force-dynamic";

async function proxy(request: Request): Promise<Response> {
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  let upstream: Response;
  try {
    upstream = await fetch(targetUrl(request.url, process.env.BACKEND_URL), {
      method: request.method,
      headers: pickHeaders(request.headers, REQUEST_HEADERS),
      body: hasBody ? await request.arrayBuffer() : undefined,
      redirect: "manual",
      cache: "no-store",
    });
  } catch {
    return Response.json({ detail: "The backend is not reachable." }, { status: 502 });
  }
  return new Response(upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: pickHeaders(upstream.headers, RESPONSE_HEADERS),
  });
}

export const GET = proxy;
export const HEAD = proxy;
export const POST = proxy;
export const PUT = proxy;
export const PATCH = proxy;
export const DELETE = proxy;
export const OPTIONS = proxy;
