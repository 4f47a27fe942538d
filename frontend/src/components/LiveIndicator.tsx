"use client";

import { useSyncExternalStore } from "react";

import type { LiveStatus } from "@/lib/live-stream";
import { slowRequests } from "@/lib/slow-requests";

import { useLiveEvents } from "./useLiveEvents";

type Shown = Exclude<LiveStatus, "stopped"> | "unanswered";

/** `shown` beside the dot; `short` instead on a phone, where the header has little room; `spoken` for screen readers. */
const LABELS: Record<Shown, { shown: string; short: string; spoken: string }> = {
  connecting: { shown: "Connecting…", short: "Connecting…", spoken: "Connecting for live updates…" },
  live: { shown: "Live", short: "Live", spoken: "Live: changes made elsewhere show up here at once." },
  reconnecting: { shown: "Reconnecting…", short: "Reconnecting…", spoken: "Live updates paused, reconnecting…" },
  unanswered: {
    shown: "Still trying to reach the server…",
    short: "No answer yet…",
    spoken: "The server has not answered for a few seconds. Still trying to reach the server…",
  },
};

/**
 * The header's small "Live" / "Reconnecting…" sign: a dot and a word, on a
 * phone too (a shorter word where the long one would not fit; a dot alone
 * said nothing to someone who does not know its colours). A polite status region:
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
      <span className="live-indicator__short" aria-hidden="true">
        {label.short}
      </span>
      <span className="visually-hidden">{label.spoken}</span>
    </p>
  );
}
