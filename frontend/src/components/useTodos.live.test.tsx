import { act, renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import type { Api, Todo, TodoStats } from "@/api/client";
import { ApiError, ConflictError } from "@/api/errors";
import type { Filter } from "@/lib/filter";
import { fakeLiveEvents } from "@/test/fake-live-events";
import {
  makeTodo as todo,
  todoCreated as created,
  todoDeleted as deleted,
  todoUpdated as updated,
} from "@/test/todos";

import { type TodoScope, useTodos } from "./useTodos";

interface Setup {
  todos?: Todo[];
  nextCursor?: string | null;
  counts?: TodoStats;
  filter?: Filter;
  scope?: TodoScope;
  methods?: Partial<Api>;
}

/** useTodos for list "L" over a fake API and a fake stream, loaded. */
async function loaded({ todos = [], nextCursor = null, counts: given, filter = "all", scope, methods = {} }: Setup) {
  const counts = given ?? {
    total: todos.length,
    active: todos.filter((t) => !t.completed).length,
    completed: todos.filter((t) => t.completed).length,
  };
  const listTodos = vi.fn().mockResolvedValue({ todos, nextCursor });
  const stats = vi.fn().mockResolvedValue(counts);
  const api = { listTodos, stats, ...methods } as unknown as Api;
  const live = fakeLiveEvents();
  const hook = renderHook(() => useTodos(api, filter, scope ?? { listId: "L", liveListId: "L" }), {
    wrapper: live.Wrapper,
  });
  await waitFor(() => {
    expect(hook.result.current.stats).toEqual(counts);
  });
  expect(hook.result.current.status).toBe("ready");
  return { ...hook, listTodos, stats, live };
}

const titles = (todos: readonly Todo[]) => todos.map((t) => t.title);

describe("useTodos, live", () => {
  it("a todo created elsewhere appears at the end and counts; a repeat changes nothing", async () => {
    const { result, live } = await loaded({ todos: [todo(1)] });
    live.emit(created(todo(2)));
    expect(titles(result.current.todos)).toEqual(["Todo 1", "Todo 2"]);
    expect(result.current.stats).toEqual({ total: 2, active: 2, completed: 0 });
    live.emit(created(todo(2)), updated(todo(2)));
    expect(titles(result.current.todos)).toEqual(["Todo 1", "Todo 2"]);
    expect(result.current.stats).toEqual({ total: 2, active: 2, completed: 0 });
  });

  it("ignores other lists' todos", async () => {
    const { result, live } = await loaded({ todos: [todo(1)] });
    live.emit(created(todo(2, { list_id: "M" }), "M"));
    expect(result.current.todos).toHaveLength(1);
    expect(result.current.stats?.total).toBe(1);
  });

  it("respects the filter: a new active todo is counted but not shown under Completed", async () => {
    const { result, live } = await loaded({ todos: [todo(1, { completed: true })], filter: "completed" });
    live.emit(created(todo(2)));
    expect(titles(result.current.todos)).toEqual(["Todo 1"]);
    expect(result.current.stats).toEqual({ total: 2, active: 1, completed: 1 });
  });

  it("does not append to a list whose last page is not loaded, but counts", async () => {
    const { result, live } = await loaded({ todos: [todo(1)], nextCursor: "c2", counts: { total: 30, active: 30, completed: 0 } });
    live.emit(created(todo(40)));
    expect(titles(result.current.todos)).toEqual(["Todo 1"]);
    expect(result.current.stats?.total).toBe(31);
  });

  it("an update replaces the todo; an older or repeated version is ignored", async () => {
    const { result, live } = await loaded({ todos: [todo(1, { version: 3 })] });
    live.emit(updated(todo(1, { title: "Renamed", version: 4 })));
    expect(titles(result.current.todos)).toEqual(["Renamed"]);
    live.emit(updated(todo(1, { title: "Stale", version: 4 })), updated(todo(1, { title: "Older", version: 2 })));
    expect(titles(result.current.todos)).toEqual(["Renamed"]);
  });

  it("completing elsewhere hides the todo under Active and moves the counts, without asking the server", async () => {
    const { result, live, stats } = await loaded({ todos: [todo(1), todo(2)], filter: "active" });
    const statsCalls = stats.mock.calls.length;
    live.emit(updated(todo(1, { completed: true, version: 2 })));
    expect(titles(result.current.todos)).toEqual(["Todo 2"]);
    expect(result.current.stats).toEqual({ total: 2, active: 1, completed: 1 });
    // Unticked again: back in its place.
    live.emit(updated(todo(1, { completed: false, version: 3 })));
    expect(titles(result.current.todos)).toEqual(["Todo 1", "Todo 2"]);
    expect(result.current.stats).toEqual({ total: 2, active: 2, completed: 0 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(stats.mock.calls.length).toBe(statsCalls);
  });

  it("a deletion removes the row and the count, once", async () => {
    const { result, live } = await loaded({ todos: [todo(1), todo(2, { completed: true })] });
    live.emit(deleted(todo(2, { completed: true })), deleted(todo(2, { completed: true })));
    expect(titles(result.current.todos)).toEqual(["Todo 1"]);
    expect(result.current.stats).toEqual({ total: 1, active: 1, completed: 0 });
  });

  it("asks the server for the counts when a change to an unseen todo cannot be counted", async () => {
    const { result, live, stats } = await loaded({ todos: [todo(1)], nextCursor: "c2", counts: { total: 25, active: 25, completed: 0 } });
    stats.mockResolvedValue({ total: 24, active: 24, completed: 0 });
    live.emit(deleted(todo(21)), deleted(todo(22, { version: 2 })));
    await waitFor(() => {
      expect(result.current.stats?.total).toBe(24);
    });
    expect(stats).toHaveBeenCalledTimes(2); // one refetch for the burst
  });

  it("a todo moved in arrives, one moved out leaves", async () => {
    const { result, live } = await loaded({ todos: [todo(1)] });
    live.emit(
      { type: "todo.moved", list_id: "L", from_list_id: "M", todo: todo(2, { version: 2 }) },
      { type: "todo.moved", list_id: "M", from_list_id: "L", todo: todo(1, { list_id: "M", version: 2 }) },
    );
    expect(titles(result.current.todos)).toEqual(["Todo 2"]);
    expect(result.current.stats).toEqual({ total: 1, active: 1, completed: 0 });
  });

  it("after a resync, refetches as many todos as are shown, keeping the list on screen", async () => {
    const { result, live, listTodos, stats } = await loaded({ todos: [todo(1), todo(2)] });
    let answer: (page: { todos: Todo[]; nextCursor: string | null }) => void = () => undefined;
    listTodos.mockReturnValue(new Promise((resolve) => (answer = resolve)));
    live.emit({ type: "resync", reason: "too old" });
    expect(listTodos).toHaveBeenLastCalledWith({ listId: "L", filter: "all", limit: 20 });
    expect(result.current.status).toBe("ready");
    expect(result.current.todos).toHaveLength(2);
    await act(async () => {
      answer({ todos: [todo(2, { version: 5, title: "Fresh" })], nextCursor: null });
      await Promise.resolve();
    });
    expect(titles(result.current.todos)).toEqual(["Fresh"]);
    // The counts are asked for again too.
    expect(stats).toHaveBeenCalledTimes(2);
  });

  it("refetches on a fresh start (ready, not resumed), not on a resumed one", async () => {
    const { live, listTodos } = await loaded({ todos: [todo(1)] });
    live.emit({ type: "ready", resumed: true });
    expect(listTodos).toHaveBeenCalledTimes(1);
    live.emit({ type: "ready", resumed: false });
    expect(listTodos).toHaveBeenCalledTimes(2);
  });

  it("a todo created while the list loads is placed once the page lands", async () => {
    let answer: (page: { todos: Todo[]; nextCursor: string | null }) => void = () => undefined;
    const api = {
      listTodos: vi.fn(() => new Promise((resolve) => (answer = resolve))),
      stats: vi.fn().mockResolvedValue({ total: 1, active: 1, completed: 0 }),
    } as unknown as Api;
    const live = fakeLiveEvents();
    const { result } = renderHook(() => useTodos(api, "all", { listId: "L", liveListId: "L" }), { wrapper: live.Wrapper });
    live.emit(created(todo(2)), updated(todo(1, { version: 2, title: "Changed meanwhile" })));
    await act(async () => {
      answer({ todos: [todo(1)], nextCursor: null });
      await Promise.resolve();
    });
    expect(titles(result.current.todos)).toEqual(["Changed meanwhile", "Todo 2"]);
  });

  it("this tab's own add and its event count once, in either order", async () => {
    const createTodo = vi.fn().mockResolvedValue(todo(2));
    const { result, live } = await loaded({ todos: [todo(1)], methods: { createTodo } });
    await act(() => result.current.add("Todo 2", "key"));
    live.emit(created(todo(2)));
    expect(result.current.stats?.total).toBe(2);

    createTodo.mockResolvedValue(todo(3));
    live.emit(created(todo(3)));
    await act(() => result.current.add("Todo 3", "key-3"));
    expect(result.current.stats?.total).toBe(3);
    expect(titles(result.current.todos)).toEqual(["Todo 1", "Todo 2", "Todo 3"]);
  });

  it("a failed tick goes back to the newest copy known, not the one clicked", async () => {
    const updateTodo = vi.fn();
    const { result, live } = await loaded({ todos: [todo(1)], methods: { updateTodo } });
    let fail: (error: Error) => void = () => undefined;
    updateTodo.mockReturnValue(new Promise((_, reject) => (fail = reject)));
    let done: Promise<void> = Promise.resolve();
    act(() => {
      done = result.current.toggle(todo(1));
    });
    live.emit(updated(todo(1, { title: "Renamed elsewhere", version: 2 })));
    await act(async () => {
      fail(new Error("offline"));
      await done;
    });
    expect(result.current.todos[0]).toMatchObject({ title: "Renamed elsewhere", completed: false });
  });

  it("keeps a todo being edited on screen when the filter would hide it, and says when it is deleted", async () => {
    const { result, live } = await loaded({ todos: [todo(1), todo(2)], filter: "active" });
    act(() => {
      result.current.setEditing("id-01", true);
    });
    live.emit(updated(todo(1, { completed: true, version: 2 })));
    expect(titles(result.current.todos)).toEqual(["Todo 1", "Todo 2"]);
    live.emit(deleted(todo(1, { completed: true, version: 2 })));
    expect(titles(result.current.todos)).toEqual(["Todo 2"]);
    expect(result.current.actionError?.message).toBe("“Todo 1” was deleted somewhere else, so your changes to it were not saved.");
  });

  it("on the personal list, recognises its events by the list id its todos carry", async () => {
    const { result, live } = await loaded({ todos: [todo(1, { list_id: "P" })], scope: {} });
    live.emit(created(todo(2, { list_id: "P" }), "P"));
    expect(titles(result.current.todos)).toEqual(["Todo 1", "Todo 2"]);
  });
});

describe("useTodos, the user's own changes before the server answers", () => {
  const deleteTodo = () => vi.fn<Api["deleteTodo"]>().mockResolvedValue(undefined);

  it("a deletion hides the todo and its count at once, sends nothing, and undo brings it back in its place", async () => {
    const remove = deleteTodo();
    const { result, stats } = await loaded({ todos: [todo(1), todo(2), todo(3)], methods: { deleteTodo: remove } });
    act(() => {
      result.current.remove(todo(2));
    });
    expect(titles(result.current.todos)).toEqual(["Todo 1", "Todo 3"]);
    expect(result.current.stats).toEqual({ total: 2, active: 2, completed: 0 });
    expect(result.current.deletion?.message).toBe("Deleted “Todo 2”.");
    let restored: readonly Todo[] = [];
    act(() => {
      restored = result.current.undoDeletion();
    });
    expect(restored).toEqual([todo(2)]);
    expect(result.current.todos).toEqual([todo(1), todo(2), todo(3)]);
    expect(result.current.stats).toEqual({ total: 3, active: 3, completed: 0 });
    expect(result.current.deletion).toBeNull();
    expect(remove).not.toHaveBeenCalled();
    expect(stats).toHaveBeenCalledTimes(1);
  });

  it("the next deletion sends the one before; its own event then changes nothing", async () => {
    const remove = deleteTodo();
    const { result, live } = await loaded({ todos: [todo(1), todo(2)], methods: { deleteTodo: remove } });
    act(() => {
      result.current.remove(todo(1));
    });
    await act(async () => {
      result.current.remove(todo(2));
      await Promise.resolve();
    });
    expect(remove).toHaveBeenCalledTimes(1);
    expect(remove).toHaveBeenCalledWith("id-01", { expectedVersion: 1, keepalive: false });
    live.emit(deleted(todo(1)));
    expect(result.current.stats).toEqual({ total: 0, active: 0, completed: 0 });
    expect(result.current.deletion?.message).toBe("Deleted “Todo 2”.");
  });

  it("leaving the page sends the waiting deletion with keepalive; so does leaving the list", async () => {
    const remove = deleteTodo();
    const { result, unmount } = await loaded({ todos: [todo(1), todo(2)], methods: { deleteTodo: remove } });
    act(() => {
      result.current.remove(todo(1));
    });
    act(() => {
      window.dispatchEvent(new Event("pagehide"));
    });
    expect(remove).toHaveBeenCalledWith("id-01", { expectedVersion: 1, keepalive: true });
    act(() => {
      result.current.remove(todo(2));
    });
    unmount();
    expect(remove).toHaveBeenLastCalledWith("id-02", { expectedVersion: 1, keepalive: true });
  });

  it("a page being left sends every waiting DELETE at once (no code runs after it is gone)", async () => {
    const remove = vi.fn<Api["deleteTodo"]>(() => new Promise(() => undefined));
    const done = [1, 2, 3, 4, 5, 6].map((n) => todo(n, { completed: true }));
    const { result } = await loaded({ todos: done, methods: { deleteTodo: remove } });
    await act(() => result.current.clearCompleted());
    act(() => {
      window.dispatchEvent(new Event("pagehide"));
    });
    expect(remove).toHaveBeenCalledTimes(6);
  });

  it("a deletion refused because the todo changed elsewhere (412) brings it back and says so", async () => {
    const remove = vi.fn<Api["deleteTodo"]>().mockRejectedValue(new ConflictError());
    const { result, live } = await loaded({ todos: [todo(1)], methods: { deleteTodo: remove } });
    act(() => {
      result.current.remove(todo(1));
    });
    live.emit(updated(todo(1, { title: "Renamed elsewhere", version: 2 })));
    expect(result.current.todos).toEqual([]);
    await act(async () => {
      result.current.commitDeletion();
      await Promise.resolve();
    });
    expect(titles(result.current.todos)).toEqual(["Renamed elsewhere"]);
    expect(result.current.stats?.total).toBe(1);
    expect(result.current.actionError?.message).toBe(
      "“Todo 1” was changed somewhere else before the deletion went through, so it was kept.",
    );
  });

  it("clear completed hides exactly the completed todos, those on pages not loaded included, and deletes those", async () => {
    const remove = deleteTodo();
    const unloaded = todo(30, { completed: true });
    const { result, listTodos } = await loaded({
      todos: [todo(1, { completed: true }), todo(2)],
      nextCursor: "c2",
      counts: { total: 3, active: 1, completed: 2 },
      methods: { deleteTodo: remove },
    });
    listTodos.mockResolvedValueOnce({ todos: [todo(1, { completed: true }), unloaded], nextCursor: null });
    await act(() => result.current.clearCompleted());
    expect(listTodos).toHaveBeenLastCalledWith({ listId: "L", filter: "completed", cursor: null, limit: 200 });
    expect(titles(result.current.todos)).toEqual(["Todo 2"]);
    expect(result.current.stats).toEqual({ total: 1, active: 1, completed: 0 });
    expect(result.current.deletion?.message).toBe("Cleared 2 todos.");
    await act(async () => {
      result.current.commitDeletion();
      await Promise.resolve();
    });
    expect(remove.mock.calls.map(([id]) => id)).toEqual(["id-01", "id-30"]);
    expect(result.current.stats).toEqual({ total: 1, active: 1, completed: 0 });
  });

  it("an add shows a temporary row and counts it at once; its own event before the answer shows it once", async () => {
    let answer: (todo: Todo) => void = () => undefined;
    const createTodo = vi.fn(() => new Promise<Todo>((resolve) => (answer = resolve)));
    const { result, live, stats } = await loaded({ todos: [todo(1)], methods: { createTodo } });
    let done: Promise<Todo> = Promise.resolve(todo(2));
    act(() => {
      done = result.current.add("Todo 2", "key-2");
    });
    expect(titles(result.current.todos)).toEqual(["Todo 1", "Todo 2"]);
    expect(result.current.todos[1]?.id).toBe("pending:key-2");
    expect(result.current.stats?.total).toBe(2);
    live.emit(created(todo(2)));
    expect(titles(result.current.todos)).toEqual(["Todo 1", "Todo 2"]);
    await act(async () => {
      answer(todo(2));
      await done;
    });
    expect(result.current.todos).toEqual([todo(1), todo(2)]);
    expect(result.current.stats?.total).toBe(2);
    expect(stats).toHaveBeenCalledTimes(1);
  });

  it("a failed add takes its temporary row and count away", async () => {
    const createTodo = vi.fn().mockRejectedValue(new ApiError(0, "Can't reach the server."));
    const { result } = await loaded({ todos: [todo(1)], methods: { createTodo } });
    await act(async () => {
      await expect(result.current.add("Todo 2", "key-2")).rejects.toMatchObject({ status: 0 });
    });
    expect(titles(result.current.todos)).toEqual(["Todo 1"]);
    expect(result.current.stats?.total).toBe(1);
  });

  it("mark all complete changes the ones that need it, each with If-Match, rebased once after a 412; one refused again goes back", async () => {
    const updateTodo = vi.fn<Api["updateTodo"]>((id, changes) =>
      id === "id-03"
        ? Promise.reject(new ConflictError())
        : Promise.resolve(todo(Number(id.slice(3)), { ...changes, version: 2 })),
    );
    // "Todo 3" is being renamed elsewhere again and again: the tick made on its new copy is refused too.
    const getTodo = vi.fn<Api["getTodo"]>(() => Promise.resolve(todo(3, { title: "Renamed", version: 2 })));
    const { result, stats } = await loaded({
      todos: [todo(1), todo(2, { completed: true }), todo(3)],
      methods: { updateTodo, getTodo },
    });
    await act(() => result.current.markAll(true));
    expect(updateTodo.mock.calls).toEqual([
      ["id-01", { completed: true }, 1],
      ["id-03", { completed: true }, 1],
      ["id-03", { completed: true }, 2],
    ]);
    expect(result.current.todos.map((t) => t.completed)).toEqual([true, true, false]);
    expect(result.current.stats).toEqual({ total: 3, active: 1, completed: 2 });
    expect(result.current.actionError?.message).toBe(
      "“Todo 3” was changed or deleted somewhere else meanwhile, so it was left as it is.",
    );
    expect(stats).toHaveBeenCalledTimes(1);
  });

  it("a tick on a todo deleted elsewhere (404) removes its row and says so", async () => {
    const updateTodo = vi.fn().mockRejectedValue(new ApiError(404, "That todo no longer exists."));
    const { result } = await loaded({ todos: [todo(1), todo(2)], methods: { updateTodo } });
    await act(() => result.current.toggle(todo(1)));
    expect(titles(result.current.todos)).toEqual(["Todo 2"]);
    expect(result.current.stats?.total).toBe(1);
    expect(result.current.actionError?.message).toBe("“Todo 1” was deleted somewhere else.");
  });
});
