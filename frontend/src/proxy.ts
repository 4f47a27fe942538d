/**
 * Next.js' request hook ("Proxy", formerly Middleware; not to be confused
 * with the /api/* Route Handler that forwards calls to the backend). It runs
 * before every page is rendered and gives the page its Content-Security-Policy
 * with a fresh nonce.
 *
 * The policy goes on the request too: while rendering, Next.js reads the
 * nonce from the request's Content-Security-Policy header and puts it on
 * every <script> (and <style>) it emits. A page rendered at build time could
 * not carry a per-request nonce, so the root layout opts every page into
 * dynamic rendering (`await connection()`).
 *
 * It also sends visitors where their session cookie says they belong, before
 * anything renders: a signed-in page without a session goes to the log-in
 * page (remembering where it was), the log-in and sign-up pages with one go on
 * to `?next=` or the list. Whether the session is still good is the backend's
 * to say: a revoked one gets a 401 on the page's first request, which clears
 * the cookie (src/app/api/[...path]/route.ts) and opens the log-in page.
 */
import { type NextRequest, NextResponse } from "next/server";

import { loginUrl, safeNextPath } from "@/lib/auth-redirect";
import { contentSecurityPolicy, newNonce } from "@/lib/content-security-policy";
import { sessionToken } from "@/lib/session-cookie";

const AUTH_PAGES = new Set(["/login", "/signup"]);

/** The pages of the `(signed-in)` route group. */
function isSignedInPage(pathname: string): boolean {
  return pathname === "/" || pathname === "/account" || pathname.startsWith("/lists/") || pathname.startsWith("/due/");
}

export function proxy(request: NextRequest) {
  const { pathname, search, searchParams } = request.nextUrl;
  const signedIn = sessionToken(request.headers) !== null;
  if (!signedIn && isSignedInPage(pathname)) {
    return NextResponse.redirect(new URL(loginUrl({ next: pathname + search }), request.url));
  }
  if (signedIn && AUTH_PAGES.has(pathname)) {
    return NextResponse.redirect(new URL(safeNextPath(searchParams.get("next")), request.url));
  }
  const policy = contentSecurityPolicy({
    nonce: newNonce(),
    development: process.env.NODE_ENV === "development",
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

export const config = {
  matcher: [
    {
      // Pages only: not the /api/* JSON proxy, not static files (whose URLs
      // are content-hashed and cached), not the favicon.
      source: "/((?!api(?:/|$)|_next/static|_next/image|favicon\\.ico).*)",
      // By path alone, never by request headers: a `missing` rule for prefetch
      // headers (Next-Router-Prefetch, Purpose: prefetch) would let any request
      // carrying them get a whole HTML page with no policy. Link prefetches
      // (RSC payloads) just get a policy they do not need.
    },
  ],
};
