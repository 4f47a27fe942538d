"use client";

import { useSyncExternalStore } from "react";

import type { LiveStatus } from "@/lib/live-stream";
import { slowRequests } from "@/lib/slow-requests";

import { useLiveEvents } from "./useLiveEvents";

type Shown = Exclude<LiveStatus, "stopped"> | "unanswered";

const LABELS: Record<Shown, { shown: string; spoken: string }> = {
  connecting: { shown: "Connecting…", spoken: "Connecting for live updates…" },
  live: { shown: "Live", spoken: "Live: changes made elsewhere show up here at once." },
  reconnecting: { shown: "Reconnecting…", spoken: "Live updates paused, reconnecting…" },
  unanswered: {
    shown: "Still trying to reach the server…",
    spoken: "The server has not answered for a few seconds. Still trying to reach the server…",
  },
};

/**
 * The header's small "Live" / "Reconnecting…" sign. A polite status region:
 * screen readers hear it when it changes, without interrupting. Nothing
 * shows when there is no stream (logged out). A request the server has not
 * answered for a few seconds outranks the stream's state: a frozen server
 * keeps an open stream looking live for up to three heartbeats.
 */
export function LiveIndicator() {
  const { status: streamStatus } = useLiveEvents();
  const unanswered = useSyncExternalStore(slowRequests.subscribe, slowRequests.count, () => 0);
  if (streamStatus === "stopped") return null;
  const status: Shown = unanswered > 0 ? "unanswered" : streamStatus;
  const label = LABELS[status];
  return (
    <p className={`live-indicator live-indicator--${status}`} role="status" title={label.spoken}>
      <span className="live-indicator__dot" aria-hidden="true" />
      <span className="live-indicator__label" aria-hidden="true">
        {label.shown}
      </span>
      <span className="visually-hidden">{label.spoken}</span>
    </p>
  );
}
