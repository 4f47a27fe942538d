import { render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { ListInfo, Todo } from "@/api/client";
import { fakeLiveEvents } from "@/test/fake-live-events";

import { ListWorkspace } from "./ListWorkspace";

const { router, api } = vi.hoisted(() => ({
  router: { replace: vi.fn(), push: vi.fn(), prefetch: vi.fn() },
  api: {
    lists: vi.fn(),
    members: vi.fn(),
    listTodos: vi.fn(),
    stats: vi.fn(),
  },
}));

vi.mock("next/navigation", () => ({
  useRouter: () => router,
  usePathname: () => "/lists/trip",
  useSearchParams: () => new URLSearchParams(),
}));
vi.mock("@/lib/session", () => ({ api }));

function list(id: string, name: string, role: ListInfo["role"], personal = false): ListInfo {
  return { id, name, role, personal, created_at: "2024-01-01T00:00:00Z" };
}

const PERSONAL = list("mine", "Personal", "owner", true);
const TRIP = list("trip", "Trip", "editor");
const TODO: Todo = {
  id: "t1",
  list_id: "trip",
  created_at: "2024-01-01T00:00:00Z",
  updated_at: "2024-01-01T00:00:00Z",
  title: "Book hotel",
  content: "",
  completed: false,
  version: 1,
};

beforeEach(() => {
  api.lists.mockResolvedValue([PERSONAL, TRIP]);
  api.listTodos.mockResolvedValue({ todos: [TODO], nextCursor: null });
  api.stats.mockResolvedValue({ total: 1, active: 1, completed: 0 });
});

afterEach(() => {
  vi.clearAllMocks();
});

async function renderTrip() {
  const live = fakeLiveEvents();
  const view = render(<ListWorkspace listId="trip" filter="all" userName="Ann" />, { wrapper: live.Wrapper });
  await screen.findByText("Book hotel");
  const nav = () => within(screen.getByRole("navigation", { name: "Lists" }));
  return { live, view, nav };
}

describe("ListWorkspace, live", () => {
  it("a rename elsewhere shows in the sidebar and the heading", async () => {
    const { live, nav } = await renderTrip();
    live.emit({ type: "list.renamed", list_id: "trip", name: "Holiday" });
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Holiday");
    expect(nav().getByRole("link", { name: /Holiday/ })).toBeDefined();
  });

  it("made a viewer elsewhere, the page turns read-only at once", async () => {
    const { live } = await renderTrip();
    expect(screen.getByRole("textbox", { name: "New todo" })).toBeDefined();
    live.emit({ type: "member.updated", list_id: "trip", name: "ann", role: "viewer" });
    expect(screen.queryByRole("textbox", { name: "New todo" })).toBeNull();
    expect(screen.getByText(/You can view this list/)).toBeDefined();
    expect(screen.getByRole("checkbox", { name: "Complete Book hotel" }).hasAttribute("disabled")).toBe(true);
  });

  it("another member's role change does not touch the caller's", async () => {
    const { live } = await renderTrip();
    live.emit({ type: "member.updated", list_id: "trip", name: "bob", role: "viewer" });
    expect(screen.getByRole("textbox", { name: "New todo" })).toBeDefined();
  });

  it("removed from the open list: goes to the personal list, which says why; the sidebar drops it", async () => {
    const { live, view, nav } = await renderTrip();
    live.emit({ type: "member.removed", list_id: "trip", name: "ann" });
    expect(router.push).toHaveBeenCalledWith("/");
    expect(nav().queryByRole("link", { name: /Trip/ })).toBeNull();

    // The router lands on `/`: the same provider, a new page.
    view.rerender(<ListWorkspace listId={null} filter="all" userName="Ann" />);
    const notice = await screen.findByRole("alert");
    expect(notice.textContent).toContain("You no longer have access to this list (“Trip”).");
  });

  it("the open list deleted elsewhere: says so and goes to the personal list", async () => {
    const { live, view } = await renderTrip();
    live.emit({ type: "list.deleted", list_id: "trip" });
    expect(router.push).toHaveBeenCalledWith("/");
    view.rerender(<ListWorkspace listId={null} filter="all" userName="Ann" />);
    expect((await screen.findByRole("alert")).textContent).toContain("The list “Trip” was deleted.");
  });

  it("shared with the caller: the list joins the sidebar", async () => {
    const { live, nav } = await renderTrip();
    api.lists.mockResolvedValue([PERSONAL, TRIP, list("new", "Party", "viewer")]);
    live.emit({ type: "member.added", list_id: "new", list_name: "Party", name: "ann", role: "viewer" });
    await waitFor(() => {
      expect(nav().getByRole("link", { name: /Party/ })).toBeDefined();
    });
  });

  it("after a resync, the lists and the todos are fetched again", async () => {
    const { live } = await renderTrip();
    const lists = api.lists.mock.calls.length;
    const todos = api.listTodos.mock.calls.length;
    live.emit({ type: "ready", resumed: false }, { type: "resync", reason: "Last-Event-ID is past the retention window" });
    await waitFor(() => {
      expect(api.lists.mock.calls.length).toBe(lists + 1);
    });
    expect(api.listTodos.mock.calls.length).toBe(todos + 1);
  });
});
