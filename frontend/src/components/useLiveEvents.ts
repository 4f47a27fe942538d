"use client";

import { createContext, useContext, useEffect, useEffectEvent } from "react";

import type { LiveEvent } from "@/api/live-events";
import type { LiveStatus } from "@/lib/live-stream";

export type LiveEventListener = (event: LiveEvent) => void;

/** A message for the page the user is sent to (`at`: its list id; null for the personal list). */
export interface Notice {
  text: string;
  at: string | null;
}

/** What LiveEventsProvider shares with the logged-in pages. */
export interface LiveEvents {
  /** The stream's state, for the header's indicator. */
  status: LiveStatus;
  /** Calls `listener` with every event until the returned function is called. */
  subscribe: (listener: LiveEventListener) => () => void;
  /**
   * A message that must outlive the page it was raised on: "You no longer
   * have access to this list" is said on the page the user is sent to.
   */
  notice: Notice | null;
  showNotice: (notice: Notice) => void;
  dismissNotice: () => void;
}

/** Outside the provider (unit tests, the login page): no stream, nothing happens. */
const NO_LIVE_EVENTS: LiveEvents = {
  status: "stopped",
  subscribe: () => () => undefined,
  notice: null,
  showNotice: () => undefined,
  dismissNotice: () => undefined,
};

export const LiveEventsContext = createContext<LiveEvents>(NO_LIVE_EVENTS);

export function useLiveEvents(): LiveEvents {
  return useContext(LiveEventsContext);
}

/**
 * Calls `listener` for every live event while the component is mounted. The
 * listener may change on every render (it sees the latest props and state);
 * the subscription stays the same.
 *
 * Several events can arrive before React renders again, so a listener must
 * not decide from state it read while rendering: update state with updater
 * functions (`setX(previous => …)`), or keep what it needs in a ref.
 */
export function useLiveEvent(listener: LiveEventListener): void {
  const { subscribe } = useLiveEvents();
  const onEvent = useEffectEvent(listener);
  useEffect(
    () =>
      subscribe((event) => {
        onEvent(event);
      }),
    [subscribe],
  );
}
