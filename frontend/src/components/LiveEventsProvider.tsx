"use client";

import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from "react";

import { decodeLiveEvent, type SessionEndedEvent } from "@/api/live-events";
import type { LoginReason } from "@/lib/auth-redirect";
import { type LiveStatus, openLiveStream } from "@/lib/live-stream";
import { ownSessionChangesSettled } from "@/lib/own-session-changes";
import { handleExpiredSession } from "@/lib/session";
import { tokenStore } from "@/lib/token-store";
import { useToken } from "@/lib/use-token";

import { type LiveEventListener, type LiveEvents, LiveEventsContext, type Notice } from "./useLiveEvents";

/** The login page's message for each way the server ends a session. */
const LOGIN_REASONS: Record<SessionEndedEvent["reason"], LoginReason> = {
  revoked: "signed-out-elsewhere",
  account_deleted: "account-deleted",
  expired: "expired",
};

/**
 * The server says `token` is no good any more (a 401, or `session.ended`).
 * If it is still this tab's token once the tab's own session changes have
 * settled (a new password brings a new token), the session is over: to the
 * login page, as on any 401.
 */
async function endSessionIfCurrent(token: string, reason: LoginReason): Promise<void> {
  await ownSessionChangesSettled();
  if (tokenStore.get() === token) handleExpiredSession(reason);
}

/**
 * One live-updates stream per tab, shared by everything on the logged-in
 * pages (it sits in their layout, so moving between them keeps it open).
 * It opens when there is a token, reopens when the token changes (a new
 * password) and closes on log-out or when the user leaves these pages.
 *
 * Components listen with `useLiveEvent`; the header shows `status`.
 */
export function LiveEventsProvider({ children }: { children: ReactNode }) {
  const token = useToken();
  // Tagged with its token, so a new token starts out "connecting", not with the old stream's state.
  const [streamStatus, setStreamStatus] = useState<{ token: string; status: LiveStatus } | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const listeners = useRef(new Set<LiveEventListener>());

  useEffect(() => {
    if (!token) return;
    const stream = openLiveStream({
      url: "/api/events",
      token,
      onStatus: (status) => {
        setStreamStatus({ token, status });
      },
      onUnauthorized: () => void endSessionIfCurrent(token, "expired"),
      onMessage: (message) => {
        const event = decodeLiveEvent(message);
        if (event === null) return;
        if (event.type === "session.ended") {
          // The server closes the stream after this; reconnecting with this token would only get 401s.
          stream.stop();
          void endSessionIfCurrent(token, LOGIN_REASONS[event.reason]);
          return;
        }
        for (const listener of [...listeners.current]) listener(event);
      },
    });
    return () => {
      stream.stop();
    };
  }, [token]);

  const subscribe = useCallback((listener: LiveEventListener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const dismissNotice = useCallback(() => {
    setNotice(null);
  }, []);

  let status: LiveStatus = "stopped";
  if (token) status = streamStatus?.token === token ? streamStatus.status : "connecting";
  const value = useMemo<LiveEvents>(
    () => ({ status, subscribe, notice, showNotice: setNotice, dismissNotice }),
    [status, subscribe, notice, dismissNotice],
  );
  return <LiveEventsContext value={value}>{children}</LiveEventsContext>;
}
