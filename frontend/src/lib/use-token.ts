"use client";

import { useSyncExternalStore } from "react";

import { tokenStore } from "./token-store";

/**
 * The current access token: a string when logged in, null when logged out,
 * and undefined while rendering on the server (where localStorage is unknown).
 */
export function useToken(): string | null | undefined {
  return useSyncExternalStore(tokenStore.subscribe, tokenStore.get, () => undefined);
}
