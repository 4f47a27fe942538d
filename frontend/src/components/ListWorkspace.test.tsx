import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { ListInfo, Todo } from "@/api/client";
import { ApiError } from "@/api/errors";
import { fakeLiveEvents } from "@/test/fake-live-events";

import { ListWorkspace } from "./ListWorkspace";

const { router, api } = vi.hoisted(() => ({
  router: { replace: vi.fn(), push: vi.fn(), prefetch: vi.fn() },
  api: {
    lists: vi.fn(),
    createList: vi.fn(),
    renameList: vi.fn(),
    deleteList: vi.fn(),
    removeMember: vi.fn(),
    members: vi.fn(),
    listTodos: vi.fn(),
    stats: vi.fn(),
    updateTodo: vi.fn(),
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
  position: "a0",
};

beforeEach(() => {
  api.lists.mockResolvedValue([PERSONAL, TRIP]);
  api.listTodos.mockResolvedValue({ todos: [TODO], nextCursor: null });
  api.stats.mockResolvedValue({ total: 1, active: 1, completed: 0 });
});

afterEach(() => {
  vi.clearAllMocks();
});

function renderList(listId: string | null = "trip") {
  render(<ListWorkspace listId={listId} filter="all" userName="ann" />);
}

describe("ListWorkspace", () => {
  it("shows the lists, personal first, with the role on shared ones, and the list the URL names", async () => {
    renderList();
    const nav = within(await screen.findByRole("navigation", { name: "Lists" }));
    const links = nav.getAllByRole("link");
    expect(links.map((link) => link.getAttribute("href"))).toEqual(["/", "/lists/trip"]);
    expect(links[0]?.textContent).toBe("Personal");
    expect(links[1]?.textContent).toBe("Tripyour role: Editor");
    expect(links[1]?.getAttribute("aria-current")).toBe("page");
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Trip");
    await screen.findByText("Book hotel");
    expect(api.listTodos).toHaveBeenCalledWith({ listId: "trip", filter: "all", limit: 20 });
  });

  it("on /, shows the personal list through /todo before the lists arrive", async () => {
    api.lists.mockReturnValue(new Promise(() => undefined));
    renderList(null);
    await screen.findByText("Book hotel");
    expect(api.listTodos).toHaveBeenCalledWith({ listId: undefined, filter: "all", limit: 20 });
    expect(screen.getByRole("textbox", { name: "New todo" })).toBeTruthy();
  });

  it("gives a viewer no controls that change todos, and says why", async () => {
    api.lists.mockResolvedValue([PERSONAL, list("trip", "Trip", "viewer")]);
    renderList();
    await screen.findByText("Book hotel");
    const note = screen.getByText("You can view this list; ask an owner to make you an editor.");
    expect(screen.queryByRole("textbox", { name: "New todo" })).toBeNull();
    const checkbox = screen.getByRole("checkbox", { name: "Complete Book hotel" });
    expect(checkbox).toHaveProperty("disabled", true);
    expect(checkbox.getAttribute("aria-describedby")).toBe(note.id);
    expect(screen.queryByRole("button", { name: "Edit Book hotel" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Delete Book hotel" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Clear completed" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Rename" })).toBeNull();
    expect(screen.getByRole("button", { name: "Members" })).toBeTruthy();
  });

  it("after a 403, says so and refreshes the role: the controls go", async () => {
    api.lists.mockResolvedValueOnce([PERSONAL, TRIP]).mockResolvedValueOnce([PERSONAL, list("trip", "Trip", "viewer")]);
    api.updateTodo.mockRejectedValue(
      new ApiError(403, "You can only view this list, so that change was not saved. Ask an owner to make you an editor."),
    );
    renderList();
    await userEvent.click(await screen.findByRole("checkbox", { name: "Complete Book hotel" }));
    await screen.findByText(/You can only view this list, so that change was not saved/);
    await screen.findByText("You can view this list; ask an owner to make you an editor.");
    expect(api.lists).toHaveBeenCalledTimes(2);
    expect(screen.queryByRole("textbox", { name: "New todo" })).toBeNull();
    expect(screen.getByRole("checkbox", { name: "Complete Book hotel" })).toHaveProperty("checked", false);
  });

  it("shows 'not available' for a list the caller cannot see, without asking for its todos", async () => {
    renderList("someone-elses");
    await screen.findByText("This list isn't available");
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("List not found");
    expect(screen.getByRole("link", { name: "Back to your todos" }).getAttribute("href")).toBe("/");
    expect(api.listTodos).not.toHaveBeenCalled();
  });

  it("creates a list from the sidebar and opens it", async () => {
    api.createList.mockResolvedValue(list("new", "Garden", "owner"));
    renderList();
    await userEvent.type(await screen.findByRole("textbox", { name: "New list name" }), "Garden{Enter}");
    expect(api.createList).toHaveBeenCalledWith("Garden");
    expect(router.push).toHaveBeenCalledWith("/lists/new");
    const nav = within(screen.getByRole("navigation", { name: "Lists" }));
    expect(nav.getAllByRole("link").map((link) => link.textContent)).toEqual([
      "Personal",
      "Gardenyour role: Owner",
      "Tripyour role: Editor",
    ]);
  });

  it("an owner deletes a list after confirming, then goes home", async () => {
    api.lists.mockResolvedValue([PERSONAL, list("trip", "Trip", "owner")]);
    api.deleteList.mockResolvedValue(undefined);
    renderList();
    await userEvent.click(await screen.findByRole("button", { name: "Delete" }));
    const dialog = within(screen.getByRole("dialog", { name: "Delete “Trip”?" }));
    expect(document.activeElement).toBe(dialog.getByRole("button", { name: "Cancel" }));
    await userEvent.click(dialog.getByRole("button", { name: "Delete list" }));
    expect(api.deleteList).toHaveBeenCalledWith("trip");
    await waitFor(() => {
      expect(router.push).toHaveBeenCalledWith("/");
    });
    // While the navigation runs, the page does not claim the list is unavailable.
    expect(screen.queryByText("This list isn't available")).toBeNull();
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("a member leaves a list from Members, then goes home", async () => {
    api.members.mockResolvedValue([
      { name: "zoe", role: "owner" },
      { name: "ann", role: "editor" },
    ]);
    api.removeMember.mockResolvedValue(undefined);
    renderList();
    await userEvent.click(await screen.findByRole("button", { name: "Members" }));
    const dialog = within(screen.getByRole("dialog", { name: "Members of “Trip”" }));
    await dialog.findByText("ann (you)");
    await userEvent.click(dialog.getByRole("button", { name: "Leave list" }));
    expect(api.removeMember).toHaveBeenCalledWith("trip", "ann");
    await waitFor(() => {
      expect(router.push).toHaveBeenCalledWith("/");
    });
    expect(screen.queryByText("This list isn't available")).toBeNull();
  });

  it("an owner renames a list; the sidebar and heading follow", async () => {
    api.lists.mockResolvedValue([PERSONAL, list("trip", "Trip", "owner")]);
    api.renameList.mockResolvedValue(list("trip", "Road trip", "owner"));
    renderList();
    await userEvent.click(await screen.findByRole("button", { name: "Rename" }));
    const field = screen.getByRole("textbox", { name: "List name" });
    expect(document.activeElement).toBe(field);
    await userEvent.clear(field);
    await userEvent.type(field, "Road trip{Enter}");
    expect(api.renameList).toHaveBeenCalledWith("trip", "Road trip");
    await waitFor(() => {
      expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Road trip");
    });
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Rename" }));
  });

  it("opens the lists as a drawer from the Lists button (phones), and closes it on Escape", async () => {
    renderList();
    const button = await screen.findByRole("button", { name: "Lists" });
    expect(button.getAttribute("aria-expanded")).toBe("false");
    await userEvent.click(button);
    const drawer = within(screen.getByRole("dialog", { name: "Your lists" }));
    await drawer.findByRole("link", { name: /Trip/ });
    expect(button.getAttribute("aria-expanded")).toBe("true");
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(document.activeElement).toBe(button);
  });
});

/** The trip list rendered inside a stand-in for the live-events stream. */
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
