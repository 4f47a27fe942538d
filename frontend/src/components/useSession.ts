"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";

import type { User } from "@/api/client";
import { type LoginReason, loginUrl } from "@/lib/auth-redirect";
import { api } from "@/lib/session";
import { sessionStore } from "@/lib/session-store";
import { useSessionMark } from "@/lib/use-session-mark";

export interface Session {
  /**
   * This tab's session mark (src/lib/session-store.ts; never a token): a
   * number while signed in, null once logged out, undefined before hydration.
   */
  mark: number | null | undefined;
  /** The logged-in user, once GET /me has answered. */
  user: User | null;
  /** Why GET /me failed (other than a 401, which goes to the login page). */
  userError: string | null;
  /** Asks GET /me again after a failure. */
  reloadUser: () => void;
  /** Forgets the session (its cookie) and opens the login page, which says why. */
  endSession: (reason: LoginReason) => Promise<void>;
  /** "Log out" for the header: defined once there is a session to end. */
  logOut: (() => void) | undefined;
}

/**
 * For pages that need a logged-in user. Visitors without a session cookie
 * never get here (src/proxy.ts sends them to the login page); a tab whose
 * session ends in a sibling tab goes there too (with `?next=` so it comes
 * back). The user is (re)loaded from GET /me whenever the session changes,
 * e.g. after a password change.
 */
export function useSession(): Session {
  const token = useSessionMark();
  const router = useRouter();
  const [user, setUser] = useState<User | null>(null);
  const [userError, setUserError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  // Set while we log out on purpose, so the "logged out" effect below does
  // not race our own navigation with a `?next=` redirect.
  const ending = useRef(false);

  useEffect(() => {
    if (token === null && !ending.current) {
      router.replace(loginUrl({ next: window.location.pathname + window.location.search }));
    }
  }, [token, router]);

  useEffect(() => {
    if (!token) return;
    let current = true;
    api.me().then(
      (me) => {
        if (!current) return;
        setUser(me);
        setUserError(null);
      },
      (error: unknown) => {
        // A 401 has already sent the user to the login page.
        if (current) setUserError(error instanceof Error ? error.message : "Something went wrong.");
      },
    );
    return () => {
      current = false;
    };
  }, [token, attempt]);

  const reloadUser = useCallback(() => {
    setUserError(null);
    setAttempt((n) => n + 1);
  }, []);

  const endSession = useCallback(
    async (reason: LoginReason) => {
      ending.current = true;
      // The cookie goes first, even when the server has ended the session
      // already (signed out everywhere, account deleted): the log-in page
      // sends a visitor with a session cookie on (src/proxy.ts). A failure to
      // reach the server leaves an ended session's cookie, which its next 401 clears.
      await api.logOut().catch(() => undefined);
      sessionStore.signedOut();
      router.replace(loginUrl({ reason }));
    },
    [router],
  );

  const logOut = useCallback(() => {
    void endSession("logged-out");
  }, [endSession]);

  return {
    mark: token,
    user: token ? user : null,
    userError: token ? userError : null,
    reloadUser,
    endSession,
    logOut: token ? logOut : undefined,
  };
}
