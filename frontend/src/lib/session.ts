/**
 * The browser's API instance and what happens when the session ends.
 */
import { createApi } from "@/api/client";

import { loginUrl } from "./auth-redirect";
import { tokenStore } from "./token-store";

let redirecting = false;

/**
 * A 401 anywhere: forget the token and go to the login page, remembering
 * where the user was so they land there again after logging in.
 */
export function handleExpiredSession(): void {
  if (redirecting) return;
  redirecting = true;
  tokenStore.clear();
  const here = window.location.pathname + window.location.search;
  window.location.assign(loginUrl({ next: here, reason: "expired" }));
}

export const api = createApi({
  baseUrl: "/api",
  getToken: () => tokenStore.get(),
  onUnauthorized: handleExpiredSession,
});
