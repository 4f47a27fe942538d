import { act, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { LiveEvent } from "@/api/live-events";
import { changeOwnSession } from "@/lib/own-session-changes";
import { sessionStore } from "@/lib/session-store";
import { fakeEventBackend, settle } from "@/test/fake-event-backend";

import { LiveEventsProvider } from "./LiveEventsProvider";
import { LiveIndicator } from "./LiveIndicator";
import { useLiveEvent } from "./useLiveEvents";

const { handleExpiredSession, sessionStillGood } = vi.hoisted(() => ({
  handleExpiredSession: vi.fn(),
  sessionStillGood: vi.fn(),
}));
vi.mock("@/lib/session", () => ({ handleExpiredSession, sessionStillGood }));

/** Something on a page that listens, as the hooks do. */
function Listener({ onEvent }: { onEvent: (event: LiveEvent) => void }) {
  useLiveEvent(onEvent);
  return null;
}

const READY = 'id: c1\nevent: ready\ndata: {"type":"ready","resumed":false}\n\n';
const sessionEnded = (reason: string) => `id: c9\nevent: session.ended\ndata: {"type":"session.ended","reason":"${reason}"}\n\n`;

let backend: ReturnType<typeof fakeEventBackend>;

beforeEach(() => {
  backend = fakeEventBackend();
  sessionStillGood.mockResolvedValue(false);
  vi.stubGlobal("fetch", backend.fetch);
  act(() => {
    sessionStore.signedIn();
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.clearAllMocks();
  window.localStorage.clear();
});

async function renderPage() {
  const first = vi.fn();
  const second = vi.fn();
  render(
    <LiveEventsProvider>
      <LiveIndicator />
      <Listener onEvent={first} />
      <Listener onEvent={second} />
    </LiveEventsProvider>,
  );
  await act(settle);
  return { first, second };
}

async function send(text: string, connection = backend.connections.at(-1)) {
  await act(async () => {
    connection?.send(text);
    await settle();
  });
}

describe("LiveEventsProvider", () => {
  it("opens one stream per tab on the session cookie, says Live, and hands every event to every listener", async () => {
    const { first, second } = await renderPage();
    expect(backend.fetch).toHaveBeenCalledTimes(1);
    expect(backend.fetch.mock.calls[0]?.[0]).toBe("/api/events");
    expect(backend.connections[0]?.headers.get("Authorization")).toBeNull();
    expect(screen.getByRole("status").textContent).toContain("Connecting…");

    await send(`${READY}id: c2\nevent: list.renamed\ndata: {"type":"list.renamed","list_id":"l","name":"N"}\n\n`);
    expect(screen.getByRole("status").textContent).toContain("Live");
    const renamed = { type: "list.renamed", list_id: "l", name: "N" };
    expect(first.mock.calls.map(([event]) => event as LiveEvent)).toEqual([{ type: "ready", resumed: false }, renamed]);
    expect(second).toHaveBeenCalledTimes(2);
  });

  it("skips events it does not know", async () => {
    const { first } = await renderPage();
    await send(`${READY}event: todo.archived\ndata: {"type":"todo.archived"}\n\nevent: list.deleted\ndata: not json\n\n`);
    expect(first).toHaveBeenCalledTimes(1);
  });

  it("a session ended elsewhere sends the user to log in, saying why, and does not reconnect", async () => {
    await renderPage();
    await send(READY + sessionEnded("revoked"));
    expect(handleExpiredSession).toHaveBeenCalledWith("signed-out-elsewhere");
    expect(backend.connections[0]?.aborted).toBe(true);
    await act(settle);
    expect(backend.fetch).toHaveBeenCalledTimes(1);
  });

  it("a 401 on connecting ends the session as any 401 does", async () => {
    backend.plans.push(Response.json({ detail: "Token revoked" }, { status: 401 }));
    await renderPage();
    expect(handleExpiredSession).toHaveBeenCalledWith("expired");
  });

  it("this tab's own password change ends the old stream without ending the session, and reconnects on the new cookie", async () => {
    await renderPage();
    await send(READY);
    await act(async () => {
      await changeOwnSession(async () => {
        // The server's session.ended can come before the answer carrying the new cookie.
        backend.connections[0]?.send(sessionEnded("revoked"));
        await settle();
        sessionStore.renewed();
      });
      await settle();
    });
    expect(handleExpiredSession).not.toHaveBeenCalled();
    expect(backend.fetch).toHaveBeenCalledTimes(2);
    expect(backend.connections[0]?.aborted).toBe(true);
  });

  it("a password change in a sibling tab (the cookie is shared) reconnects instead of logging out", async () => {
    await renderPage();
    await send(READY);
    sessionStillGood.mockResolvedValue(true); // the sibling's new password renewed this browser's cookie already
    await send(sessionEnded("revoked"));
    await act(settle);
    expect(handleExpiredSession).not.toHaveBeenCalled();
    expect(backend.fetch).toHaveBeenCalledTimes(2);
  });

  it("logging out closes the stream and the indicator goes", async () => {
    await renderPage();
    await send(READY);
    act(() => {
      sessionStore.signedOut();
    });
    await act(settle);
    expect(backend.connections[0]?.aborted).toBe(true);
    expect(screen.queryByRole("status")).toBeNull();
  });
});
