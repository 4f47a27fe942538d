/**
 * The connection to the live-updates stream (`GET /api/events`), kept open
 * for as long as the page wants it.
 *
 * The session is a cookie (docs/security.md), which the browser's own
 * EventSource would send too; the stream is still read with `fetch` and
 * parsed by `sse-parser.ts`, because EventSource hides the answer's status
 * and headers: it cannot tell a 401 (the session is over: stop) from a 429
 * (too many streams: wait `Retry-After`) from a server that is down, and it
 * gives up for good on any of them. docs/security.md says why the parser is
 * our own. What EventSource would have done, done here:
 *
 * - reconnect when the connection drops, after the server's `retry:` delay,
 *   doubled per failed attempt (capped, jittered: see reconnect-delay.ts);
 * - send `Last-Event-ID` with the last id seen, so the server can replay
 *   what was missed.
 *
 * And what it would not have done:
 *
 * - 401: stop for good and say so (the session is over);
 * - 429 (too many open streams): wait as long as `Retry-After` says;
 * - silence: the server sends a comment every 15 s, so a connection quiet for
 *   STALE_AFTER_MS is dead even if TCP has not noticed (a laptop that slept);
 *   it is replaced;
 * - a tab that comes back into view, or a browser back online, reconnects at
 *   once instead of waiting out its backoff.
 *
 * No React here: `LiveEventsProvider` opens one per tab and stops it.
 */
import { DEFAULT_RETRY_MS, reconnectDelay, retryAfterMs } from "./reconnect-delay";
import { createSseParser, type SseMessage } from "./sse-parser";

/** What the page shows: "connecting" at first, "live" once events flow, "reconnecting" between attempts. */
export type LiveStatus = "connecting" | "live" | "reconnecting" | "stopped";

/** Three missed heartbeats (the server sends one every 15 s): the connection is dead. */
export const STALE_AFTER_MS = 45_000;
const WATCHDOG_INTERVAL_MS = 15_000;

export interface LiveStreamOptions {
  /** "/api/events" in the browser. */
  url: string;
  /** Each event as it arrives (after `onStatus("live")` for the first one). */
  onMessage: (message: SseMessage) => void;
  onStatus: (status: LiveStatus) => void;
  /** A 401: the session is not good (any more). The stream has stopped. */
  onUnauthorized: () => void;
  fetch?: typeof globalThis.fetch;
  /** Math.random, or a stand-in in tests. */
  random?: () => number;
}

export interface LiveStream {
  /** Closes the connection and never reconnects. */
  stop(): void;
}

/** Where a stream is: fetching the response, reading it, waiting to try again, or done. */
type Phase = "opening" | "open" | "waiting" | "stopped";

export function openLiveStream(options: LiveStreamOptions): LiveStream {
  const fetchEvents = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const random = options.random ?? Math.random;
  let phase: Phase = "opening";
  let status: LiveStatus = "connecting";
  let lastEventId = "";
  let retryMs = DEFAULT_RETRY_MS;
  /** Failed attempts since events last flowed: the backoff's exponent. */
  let failures = 0;
  /** Aborts the current attempt (its fetch and its reading). */
  let connection: AbortController | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the current attempt last got a byte (or started). */
  let lastHeard = Date.now();
  /** After a 429, no attempt before this time (ms since the epoch), even for a tab coming back into view. */
  let notBefore = 0;

  function setStatus(next: LiveStatus): void {
    if (next === status) return;
    status = next;
    options.onStatus(next);
  }

  async function connect(): Promise<void> {
    retryTimer = undefined;
    const attempt = new AbortController();
    connection = attempt;
    /** Whether we cut this attempt ourselves (stop, or a reconnect that replaced it). */
    const cutByUs = (): boolean => attempt.signal.aborted;
    phase = "opening";
    lastHeard = Date.now();
    // The session cookie goes along (same origin); the /api/* proxy makes it the Authorization header.
    const headers = new Headers({ Accept: "text/event-stream" });
    if (lastEventId !== "") headers.set("Last-Event-ID", lastEventId);

    let response: Response;
    try {
      response = await fetchEvents(options.url, {
        headers,
        signal: attempt.signal,
        cache: "no-store",
        credentials: "same-origin",
      });
    } catch {
      if (!cutByUs()) retryLater();
      return;
    }
    if (cutByUs()) {
      void response.body?.cancel();
      return;
    }
    if (response.status === 401) {
      stop();
      options.onUnauthorized();
      return;
    }
    const contentType = response.headers.get("Content-Type") ?? "";
    if (!response.ok || !response.body || !contentType.startsWith("text/event-stream")) {
      void response.body?.cancel();
      const wait = response.status === 429 ? retryAfterMs(response.headers.get("Retry-After")) : null;
      if (wait !== null) notBefore = Date.now() + wait;
      retryLater(wait);
      return;
    }

    phase = "open";
    await read(response.body, attempt.signal);
    // The server ended the stream, or the network did: try again (unless we cut it ourselves).
    if (!cutByUs()) retryLater();
  }

  async function read(body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const parser = createSseParser(
      {
        onMessage: deliver,
        onRetry: (milliseconds) => {
          retryMs = milliseconds;
        },
      },
      lastEventId,
    );
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || signal.aborted) return;
        lastHeard = Date.now();
        parser.feed(decoder.decode(value, { stream: true }));
        lastEventId = parser.lastEventId;
      }
    } catch {
      // The connection broke, or was aborted (which also closes it): connect() decides what comes next.
    }
  }

  function deliver(message: SseMessage): void {
    if (status !== "live") {
      failures = 0;
      setStatus("live");
    }
    try {
      options.onMessage(message);
    } catch (error) {
      // A bug in a listener must not pass for a broken connection: report it, go on reading.
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  /** Schedules the next attempt after the backoff, or after `atLeastMs` (a 429's Retry-After) if longer. */
  function retryLater(atLeastMs: number | null = null): void {
    if (phase === "stopped") return;
    phase = "waiting";
    connection = null;
    setStatus("reconnecting");
    const wait = Math.max(atLeastMs ?? 0, reconnectDelay(failures, retryMs, random));
    failures += 1;
    retryTimer = setTimeout(() => void connect(), wait);
  }

  /** Drops the current attempt or wait and connects again at once. */
  function reconnectNow(): void {
    if (phase === "stopped") return;
    clearTimeout(retryTimer);
    connection?.abort();
    failures = 0;
    void connect();
  }

  const isStale = () => (phase === "open" || phase === "opening") && Date.now() - lastHeard > STALE_AFTER_MS;

  // Back in view (or back online) after the connection was lost, or after a
  // sleep that left it silent: reconnect now, and the server replays what was missed.
  // (Not while a 429's Retry-After runs: the server asked for that wait.)
  function onWakeUp(): void {
    if (document.visibilityState !== "visible" || Date.now() < notBefore) return;
    if (phase === "waiting" || isStale()) reconnectNow();
  }
  function onOnline(): void {
    if (phase === "waiting" && Date.now() >= notBefore) reconnectNow();
  }
  const watchdog = setInterval(() => {
    if (isStale()) reconnectNow();
  }, WATCHDOG_INTERVAL_MS);
  document.addEventListener("visibilitychange", onWakeUp);
  window.addEventListener("online", onOnline);

  function stop(): void {
    if (phase === "stopped") return;
    phase = "stopped";
    clearTimeout(retryTimer);
    clearInterval(watchdog);
    document.removeEventListener("visibilitychange", onWakeUp);
    window.removeEventListener("online", onOnline);
    connection?.abort();
    connection = null;
    setStatus("stopped");
  }

  void connect();
  return { stop };
}
