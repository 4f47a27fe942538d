/**
 * The browser's API instance and what happens when the session ends.
 *
 * The session itself is an HttpOnly cookie the /api/* proxy reads
 * (docs/security.md): this code never sees a token. It only learns that the
 * session ended, from a 401 or the live stream.
 */
import { createApi } from "@/api/client";

import { type LoginReason, loginUrl } from "./auth-redirect";
import { sessionStore } from "./session-store";

let redirecting = false;

/**
 * A 401 anywhere (or the live stream's `session.ended`): the proxy has
 * already cleared the cookie on the 401; tell the other tabs and go to the
 * login page, remembering where the user was so they land there again after
 * logging in. `reason` picks the login page's message.
 */
export function handleExpiredSession(reason: LoginReason = "expired"): void {
  if (redirecting) return;
  redirecting = true;
  sessionStore.signedOut();
  const here = window.location.pathname + window.location.search;
  window.location.assign(loginUrl({ next: here, reason }));
}

/**
 * Whether the session cookie still opens GET /me, asked without the API
 * client, whose 401 would leave for the log-in page with "expired" rather
 * than the caller's reason.
 */
export async function sessionStillGood(): Promise<boolean> {
  try {
    return (await fetch("/api/me", { cache: "no-store", credentials: "same-origin" })).ok;
  } catch {
    return false;
  }
}

export const api = createApi({
  baseUrl: "/api",
  onUnauthorized: handleExpiredSession,
});
