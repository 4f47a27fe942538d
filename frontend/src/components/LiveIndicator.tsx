"use client";

import type { LiveStatus } from "@/lib/live-stream";

import { useLiveEvents } from "./useLiveEvents";

const LABELS: Record<Exclude<LiveStatus, "stopped">, { shown: string; spoken: string }> = {
  connecting: { shown: "Connecting…", spoken: "Connecting for live updates…" },
  live: { shown: "Live", spoken: "Live: changes made elsewhere show up here at once." },
  reconnecting: { shown: "Reconnecting…", spoken: "Live updates paused, reconnecting…" },
};

/**
 * The header's small "Live" / "Reconnecting…" sign. A polite status region:
 * screen readers hear it when it changes, without interrupting. Nothing
 * shows when there is no stream (logged out).
 */
export function LiveIndicator() {
  const { status } = useLiveEvents();
  if (status === "stopped") return null;
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
