/**
 * Where to send the user around logging in.
 *
 * When a request comes back 401 (the token expired) the user goes to
 * `/login?next=<where they were>&reason=expired`; after logging in again they
 * land back on `next`. `next` comes from the URL, so it is only honoured when
 * it is a path on this site — never `//evil.example` or `https://…`.
 */

export type LoginReason =
  | "expired"
  | "logged-out"
  | "signed-up"
  | "signed-out-everywhere"
  | "signed-out-elsewhere"
  | "account-deleted";

export const LOGIN_MESSAGES: Record<LoginReason, string> = {
  expired: "Your session has expired. Log in again to continue where you left off.",
  "logged-out": "You have been logged out.",
  "signed-up": "Your account is ready. Log in to start.",
  "signed-out-everywhere": "Signed out on every device. Log in again to continue here.",
  // The live stream's `session.ended` with reason "revoked": ended from another device.
  "signed-out-elsewhere":
    "You were signed out from another device: it signed this one out, changed the password or ended every session. Log in again to continue.",
  "account-deleted": "Account deleted, together with all of its todos.",
};

const LOGIN_REASONS = new Set<string>(Object.keys(LOGIN_MESSAGES));

/** A same-site path to go to after login; "/" when `next` is missing or unsafe. */
export function safeNextPath(next: string | null | undefined): string {
  if (!next) return "/";
  // Only absolute paths on this origin: "/", "/?filter=active". Reject
  // protocol-relative ("//host"), backslash tricks ("/\host") and the auth pages.
  if (!next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  const pathname = next.split(/[?#]/, 1)[0] ?? "/";
  if (pathname === "/login" || pathname === "/signup") return "/";
  return next;
}

/** The login page URL that returns to `next` afterwards. */
export function loginUrl(options: { next?: string | null; reason?: LoginReason } = {}): string {
  const params = new URLSearchParams();
  const next = safeNextPath(options.next);
  if (next !== "/") params.set("next", next);
  if (options.reason) params.set("reason", options.reason);
  const query = params.toString();
  return query ? `/login?${query}` : "/login";
}

/** Reads `reason` from the login page URL. */
export function loginReasonFrom(value: string | null | undefined): LoginReason | null {
  return value != null && LOGIN_REASONS.has(value) ? (value as LoginReason) : null;
}
