import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { fakeEventBackend, settle } from "@/test/fake-event-backend";

import { type LiveStatus, openLiveStream, STALE_AFTER_MS } from "./live-stream";
import type { SseMessage } from "./sse-parser";

function open(backend: ReturnType<typeof fakeEventBackend>, random = () => 1) {
  const messages: SseMessage[] = [];
  const statuses: LiveStatus[] = [];
  const onUnauthorized = vi.fn();
  const stream = openLiveStream({
    url: "/api/events",
    fetch: backend.fetch,
    random,
    onMessage: (message) => messages.push(message),
    onStatus: (status) => statuses.push(status),
    onUnauthorized,
  });
  return { stream, messages, statuses, onUnauthorized };
}

const READY = 'event: ready\ndata: {"type":"ready","resumed":false}\n\n';

function setVisibility(state: DocumentVisibilityState) {
  Object.defineProperty(document, "visibilityState", { value: state, configurable: true });
  document.dispatchEvent(new Event("visibilitychange"));
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse("2024-01-01T00:00:00Z") });
});

afterEach(() => {
  vi.useRealTimers();
});

describe("openLiveStream", () => {
  it("connects with the session cookie (never a token of its own), goes live with the first event and delivers each one", async () => {
    const backend = fakeEventBackend();
    const { stream, messages, statuses } = open(backend);
    await settle();
    const [first] = backend.connections;
    expect(first?.headers.get("Authorization")).toBeNull();
    expect(backend.fetch.mock.calls[0]?.[1]?.credentials).toBe("same-origin");
    expect(first?.headers.get("Accept")).toBe("text/event-stream");
    expect(first?.headers.has("Last-Event-ID")).toBe(false);
    expect(statuses).toEqual([]);

    first?.send(`retry: 2000\n\nid: c1\n${READY}: keep-alive\n\nid: c2\nevent: todo.deleted\ndata: {}\n\n`);
    await settle();
    expect(statuses).toEqual(["live"]);
    expect(messages.map((m) => [m.type, m.lastEventId])).toEqual([
      ["ready", "c1"],
      ["todo.deleted", "c2"],
    ]);
    stream.stop();
  });

  it("decodes UTF-8 split between network chunks", async () => {
    const backend = fakeEventBackend();
    const { stream, messages } = open(backend);
    await settle();
    const bytes = new TextEncoder().encode('data: {"title":"café"}\n\n');
    const cut = bytes.indexOf(0xc3) + 1; // inside the two bytes of "é"
    backend.connections[0]?.send(bytes.slice(0, cut));
    backend.connections[0]?.send(bytes.slice(cut));
    await settle();
    expect(messages[0]?.data).toBe('{"title":"café"}');
    stream.stop();
  });

  it("reconnects after the server's retry delay when the stream ends, resuming from the last id", async () => {
    const backend = fakeEventBackend();
    const { stream, statuses } = open(backend);
    await settle();
    backend.connections[0]?.send(`retry: 3000\n\nid: c7\n${READY}`);
    await settle();
    backend.connections[0]?.end();
    await settle();
    expect(statuses).toEqual(["live", "reconnecting"]);

    await vi.advanceTimersByTimeAsync(2999);
    expect(backend.fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(backend.fetch).toHaveBeenCalledTimes(2);
    expect(backend.connections[1]?.headers.get("Last-Event-ID")).toBe("c7");

    backend.connections[1]?.send('event: ready\ndata: {"type":"ready","resumed":true}\n\n');
    await settle();
    expect(statuses).toEqual(["live", "reconnecting", "live"]);
    stream.stop();
  });

  it("backs off exponentially while attempts fail, with a cap, and starts over once live", async () => {
    const backend = fakeEventBackend();
    backend.plans.push(
      "network-error",
      new Response("bad gateway", { status: 502 }),
      "network-error",
      "network-error",
      "network-error",
      "network-error",
    );
    const { stream, statuses } = open(backend);
    await settle();
    await vi.advanceTimersByTimeAsync(2000 + 4000 + 8000 + 16000 + 20000 + 20000);
    const gaps = backend.times.slice(1).map((time, i) => time - (backend.times[i] ?? 0));
    expect(gaps).toEqual([2000, 4000, 8000, 16000, 20000, 20000]);
    expect(statuses).toEqual(["reconnecting"]);

    // The 7th attempt gets a stream: live again, and the next drop waits the base delay.
    await settle();
    backend.connections[0]?.send(READY);
    await settle();
    backend.connections[0]?.end();
    await settle();
    const before = backend.fetch.mock.calls.length;
    await vi.advanceTimersByTimeAsync(2000);
    await settle();
    expect(backend.fetch.mock.calls.length).toBe(before + 1);
    stream.stop();
  });

  it("stops for good on a 401 and reports it once", async () => {
    const backend = fakeEventBackend();
    backend.plans.push(Response.json({ detail: "Not authenticated" }, { status: 401 }));
    const { statuses, onUnauthorized } = open(backend);
    await settle();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(backend.fetch).toHaveBeenCalledTimes(1);
    expect(statuses).toEqual(["stopped"]);
  });

  it("on a 429 waits as long as Retry-After says, even when the tab comes back into view", async () => {
    const backend = fakeEventBackend();
    backend.plans.push(Response.json({ detail: "Too many streams" }, { status: 429, headers: { "Retry-After": "30" } }));
    const { stream, statuses } = open(backend);
    await settle();
    expect(statuses).toEqual(["reconnecting"]);
    setVisibility("hidden");
    setVisibility("visible");
    await vi.advanceTimersByTimeAsync(29_999);
    expect(backend.fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(backend.fetch).toHaveBeenCalledTimes(2);
    stream.stop();
  });

  it("reconnects at once, without waiting out the backoff, when the tab comes back into view", async () => {
    const backend = fakeEventBackend();
    backend.plans.push("network-error", "network-error", "network-error");
    const { stream } = open(backend);
    await vi.advanceTimersByTimeAsync(2000 + 4000);
    await settle();
    expect(backend.fetch).toHaveBeenCalledTimes(3); // now waiting 8 s
    setVisibility("hidden");
    await settle();
    expect(backend.fetch).toHaveBeenCalledTimes(3);
    setVisibility("visible");
    await settle();
    expect(backend.fetch).toHaveBeenCalledTimes(4);
    stream.stop();
  });

  it("replaces a connection that has been silent too long, e.g. after the laptop slept", async () => {
    const backend = fakeEventBackend();
    const { stream } = open(backend);
    await settle();
    backend.connections[0]?.send(`id: c3\n${READY}`);
    await settle();
    // Heartbeats keep it: a minute of them changes nothing.
    for (let i = 0; i < 4; i += 1) {
      await vi.advanceTimersByTimeAsync(15_000);
      backend.connections[0]?.send(": keep-alive\n\n");
      await settle();
    }
    expect(backend.fetch).toHaveBeenCalledTimes(1);

    // Then silence: the watchdog gives up on it and reconnects at once, resuming.
    await vi.advanceTimersByTimeAsync(STALE_AFTER_MS + 15_000);
    await settle();
    expect(backend.connections[0]?.aborted).toBe(true);
    expect(backend.fetch).toHaveBeenCalledTimes(2);
    expect(backend.connections[1]?.headers.get("Last-Event-ID")).toBe("c3");
    stream.stop();
  });

  it("checks a connection for silence when the tab comes back into view", async () => {
    const backend = fakeEventBackend();
    const { stream } = open(backend);
    await settle();
    backend.connections[0]?.send(READY);
    await settle();
    // The machine slept: timers did not run, the clock moved on.
    vi.setSystemTime(Date.now() + 10 * 60_000);
    setVisibility("visible");
    await settle();
    expect(backend.fetch).toHaveBeenCalledTimes(2);
    stream.stop();
  });

  it("treats a 200 that is not an event stream as a failed attempt", async () => {
    const backend = fakeEventBackend();
    backend.plans.push(new Response("<html>", { headers: { "Content-Type": "text/html" } }));
    const { stream, statuses } = open(backend);
    await settle();
    expect(statuses).toEqual(["reconnecting"]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(backend.fetch).toHaveBeenCalledTimes(2);
    stream.stop();
  });

  it("stop() closes the connection and never reconnects", async () => {
    const backend = fakeEventBackend();
    const { stream, statuses } = open(backend);
    await settle();
    backend.connections[0]?.send(READY);
    await settle();
    stream.stop();
    await settle();
    expect(backend.connections[0]?.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(120_000);
    setVisibility("visible");
    await settle();
    expect(backend.fetch).toHaveBeenCalledTimes(1);
    expect(statuses).toEqual(["live", "stopped"]);
  });

  it("a listener that throws is reported, and the stream goes on", async () => {
    const backend = fakeEventBackend();
    const reported: unknown[] = [];
    vi.stubGlobal("queueMicrotask", (callback: () => void) => {
      try {
        callback();
      } catch (error) {
        reported.push(error);
      }
    });
    let calls = 0;
    const stream = openLiveStream({
      url: "/api/events",
      fetch: backend.fetch,
      onStatus: () => undefined,
      onUnauthorized: () => undefined,
      onMessage: () => {
        calls += 1;
        if (calls === 1) throw new Error("bug");
      },
    });
    await settle();
    backend.connections[0]?.send(`${READY}data: 2\n\n`);
    await settle();
    expect(calls).toBe(2);
    expect(reported).toEqual([new Error("bug")]);
    expect(backend.connections[0]?.aborted).toBe(false);
    stream.stop();
    vi.unstubAllGlobals();
  });
});
