/**
 * The browser's session cookie, as the frontend server reads and writes it
 * (docs/security.md, "Browser sessions").
 *
 * It holds the access token the backend issued at log-in (a JWT): the browser
 * keeps it, but no script in the page can read it (`HttpOnly`), and the /api/*
 * Route Handler turns it into the backend's `Authorization: Bearer` header.
 * It lives exactly as long as the token (`Max-Age` from the token's `exp`),
 * which is its session's absolute end (ACCESS_TOKEN_TTL, 30 days by default);
 * the session's idle timeout (SESSION_IDLE_TIMEOUT, 14 days) is the backend's
 * to enforce, since only it sees every use: a session that went idle answers
 * 401, and that clears the cookie (src/app/api/[...path]/route.ts). It is
 * sent on same-site navigations only (`SameSite=Lax`), and over HTTPS is named
 * `__Host-mi_session` with `Secure`: the browser then refuses to let plain
 * HTTP or a sibling domain set or overwrite it. Over plain HTTP (a developer's
 * loopback) it is `mi_session`, without `Secure`, or the browser would drop it.
 *
 * Whether the request came over HTTPS is what server.mjs put in
 * X-Forwarded-Proto: the socket itself, or a trusted proxy's word, never the
 * client's (src/lib/client-address.mjs, requestScheme).
 */

export const SESSION_COOKIE = "mi_session";
export const SECURE_SESSION_COOKIE = "__Host-mi_session";

/** A token longer than this is not one of ours (the backend's limit). */
const MAX_TOKEN_LENGTH = 2048;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Whether the browser reached us over HTTPS (per server.mjs' X-Forwarded-Proto). */
export function cameOverHttps(headers: Headers): boolean {
  return headers.get("x-forwarded-proto") === "https";
}

function cookieName(https: boolean): string {
  return https ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

/**
 * The token in the request's session cookie, or null. Over HTTPS only the
 * `__Host-` cookie counts: one without the prefix may have been planted over
 * plain HTTP or by a sibling domain.
 */
export function sessionToken(headers: Headers): string | null {
  const name = cookieName(cameOverHttps(headers));
  for (const pair of (headers.get("cookie") ?? "").split(";")) {
    const separator = pair.indexOf("=");
    if (separator === -1 || pair.slice(0, separator).trim() !== name) continue;
    const value = pair.slice(separator + 1).trim();
    return value.length <= MAX_TOKEN_LENGTH && TOKEN_SHAPE.test(value) ? value : null;
  }
  return null;
}

/**
 * Seconds until the token's `exp` (read, not verified: the backend verifies it
 * on every request; this only picks the cookie's lifetime). At least 0.
 */
export function secondsLeft(token: string, now: number = Date.now()): number {
  try {
    const payload = token.split(".")[1] ?? "";
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown };
    if (typeof claims.exp !== "number" || !Number.isFinite(claims.exp)) return 0;
    return Math.max(0, Math.floor(claims.exp - now / 1000));
  } catch {
    return 0;
  }
}

function attributes(https: boolean, maxAge: number): string {
  return `Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${https ? "; Secure" : ""}`;
}

/** The Set-Cookie value that gives the browser `token` as its session. */
export function sessionCookie(token: string, https: boolean): string {
  return `${cookieName(https)}=${token}; ${attributes(https, secondsLeft(token))}`;
}

/** The Set-Cookie value that makes the browser forget its session. */
export function clearedSessionCookie(https: boolean): string {
  return `${cookieName(https)}=; ${attributes(https, 0)}`;
}
