/**
 * The browser's API instance and what happens when the session ends.
 */
import { createApi } from "@/api/client";

import { type LoginReason, loginUrl } from "./auth-redirect";
import { tokenStore } from "./token-store";

let redirecting = false;

/**
 * A 401 anywhere (or the live stream's `session.ended`): forget the token and
 * go to the login page, remembering where the user was so they land there
 * again after logging in. `reason` picks the login page's message.
 */
export function handleExpiredSession(reason: LoginReason = "expired"): void {
  if (redirecting) return;
  redirecting = true;
  tokenStore.clear();
  const here = window.location.pathname + window.location.search;
  window.location.assign(loginUrl({ next: here, reason }));
}

export const api = createApi({
  baseUrl: "/api",
  getToken: () => tokenStore.get(),
  onUnauthorized: handleExpiredSession,
});
