"use client";

import { useSyncExternalStore } from "react";

import { sessionStore } from "./session-store";

/**
 * This tab's session mark (src/lib/session-store.ts): a number while signed
 * in, null once signed out, and undefined while rendering on the server.
 */
export function useSessionMark(): number | null | undefined {
  return useSyncExternalStore(sessionStore.subscribe, sessionStore.get, () => undefined);
}
