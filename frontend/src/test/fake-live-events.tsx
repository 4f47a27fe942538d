import { act } from "@testing-library/react";
import { type ReactNode, useMemo, useState } from "react";

import type { LiveEvent } from "@/api/live-events";
import { type LiveEventListener, type LiveEvents, LiveEventsContext, type Notice } from "@/components/useLiveEvents";
import type { LiveStatus } from "@/lib/live-stream";

/**
 * A stand-in for LiveEventsProvider in component tests: no network, the test
 * emits the events. `Wrapper` goes around what is rendered (`render(ui, {
 * wrapper })`), `emit` delivers events the way the stream does (several in
 * one go, before React renders again).
 */
export function fakeLiveEvents(status: LiveStatus = "live") {
  const listeners = new Set<LiveEventListener>();
  const subscribe = (listener: LiveEventListener) => {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  };

  function Wrapper({ children }: { children: ReactNode }) {
    const [notice, setNotice] = useState<Notice | null>(null);
    const value = useMemo<LiveEvents>(
      () => ({
        status,
        subscribe,
        notice,
        showNotice: setNotice,
        dismissNotice: () => {
          setNotice(null);
        },
      }),
      [notice],
    );
    return <LiveEventsContext value={value}>{children}</LiveEventsContext>;
  }

  function emit(...events: LiveEvent[]) {
    act(() => {
      for (const event of events) for (const listener of [...listeners]) listener(event);
    });
  }

  return { Wrapper, emit, listenerCount: () => listeners.size };
}
