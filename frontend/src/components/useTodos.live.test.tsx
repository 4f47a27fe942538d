import { act, renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import type { Api, Todo, TodoStats } from "@/api/client";
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
    expect(result.current.actionError).toBe("“Todo 1” was deleted somewhere else, so your changes to it were not saved.");
  });

  it("on the personal list, recognises its events by the list id its todos carry", async () => {
    const { result, live } = await loaded({ todos: [todo(1, { list_id: "P" })], scope: {} });
    live.emit(created(todo(2, { list_id: "P" }), "P"));
    expect(titles(result.current.todos)).toEqual(["Todo 1", "Todo 2"]);
  });
});
