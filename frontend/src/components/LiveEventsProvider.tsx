"use client";

import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from "react";

import { decodeLiveEvent, type SessionEndedEvent } from "@/api/live-events";
import type { LoginReason } from "@/lib/auth-redirect";
import { type LiveStatus, openLiveStream } from "@/lib/live-stream";
import { ownSessionChangesSettled } from "@/lib/own-session-changes";
import { handleExpiredSession, sessionStillGood } from "@/lib/session";
import { sessionStore } from "@/lib/session-store";
import { useSessionMark } from "@/lib/use-session-mark";

import { type LiveEventListener, type LiveEvents, LiveEventsContext, type Notice } from "./useLiveEvents";

/** The login page's message for each way the server ends a session. */
const LOGIN_REASONS: Record<SessionEndedEvent["reason"], LoginReason> = {
  revoked: "signed-out-elsewhere",
  account_deleted: "account-deleted",
  expired: "expired",
};

/**
 * The server says the session behind `mark` is no good any more (a 401, or
 * `session.ended`). Once the tab's own session changes have settled (a new
 * password brings a new session), and if `mark` is still this tab's, the
 * cookie is asked once more: every tab of the browser shares it, so a new
 * password set in a sibling tab has already renewed it, and this tab only
 * reconnects. Otherwise the session is over: to the login page, saying why.
 */
async function endSessionIfCurrent(mark: number, reason: LoginReason): Promise<void> {
  await ownSessionChangesSettled();
  if (sessionStore.get() !== mark) return;
  if (await sessionStillGood()) {
    if (sessionStore.get() === mark) sessionStore.renewed();
    return;
  }
  handleExpiredSession(reason);
}


/**
 * One live-updates stream per tab, shared by everything on the logged-in
 * pages (it sits in their layout, so moving between them keeps it open).
 * It opens while signed in, reopens when the session changes (a new
 * password) and closes on log-out or when the user leaves these pages.
 *
 * Components listen with `useLiveEvent`; the header shows `status`.
 */
export function LiveEventsProvider({ children }: { children: ReactNode }) {
  const token = useSessionMark();
  // Tagged with its session mark, so a new session starts out "connecting", not with the old stream's state.
  const [streamStatus, setStreamStatus] = useState<{ token: number; status: LiveStatus } | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const listeners = useRef(new Set<LiveEventListener>());

  useEffect(() => {
    if (!token) return;
    const stream = openLiveStream({
      url: "/api/events",
      onStatus: (status) => {
        setStreamStatus({ token, status });
      },
      onUnauthorized: () => void endSessionIfCurrent(token, "expired"),
      onMessage: (message) => {
        const event = decodeLiveEvent(message);
        if (event === null) return;
        if (event.type === "session.ended") {
          // The server closes the stream after this; reconnecting with this session would only get 401s.
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
