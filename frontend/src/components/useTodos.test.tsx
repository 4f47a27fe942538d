import { act, renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import type { Api, Todo } from "@/api/client";
import { ApiError, ConflictError } from "@/api/errors";
import { makeTodo } from "@/test/todos";

import { useTodos } from "./useTodos";

function todo(n: number, overrides: Partial<Todo> = {}): Todo {
  return makeTodo(n, { list_id: "list-1", ...overrides });
}

/** A fake API: only the methods a test sets up are callable. */
function fakeApi(methods: Partial<Api>): Api {
  return {
    stats: vi.fn().mockResolvedValue({ total: 0, active: 0, completed: 0 }),
    ...methods,
  } as Api;
}

describe("useTodos", () => {
  it("loads the first page for the filter, then appends the next one", async () => {
    const listTodos = vi
      .fn()
      .mockResolvedValueOnce({ todos: [todo(1), todo(2)], nextCursor: "c2" })
      .mockResolvedValueOnce({ todos: [todo(3)], nextCursor: null });
    const api = fakeApi({ listTodos });
    const { result } = renderHook(() => useTodos(api, "active"));
    expect(result.current.status).toBe("loading");

    await waitFor(() => {
      expect(result.current.status).toBe("ready");
    });
    expect(listTodos).toHaveBeenCalledWith({ listId: undefined, filter: "active", limit: 20 });
    expect(result.current.hasMore).toBe(true);

    await act(() => result.current.loadMore());
    expect(listTodos).toHaveBeenLastCalledWith({ listId: undefined, filter: "active", cursor: "c2", limit: 20 });
    expect(result.current.todos.map((t) => t.title)).toEqual(["Todo 1", "Todo 2", "Todo 3"]);
    expect(result.current.hasMore).toBe(false);
  });

  it("shows a load error and retries", async () => {
    const listTodos = vi
      .fn()
      .mockRejectedValueOnce(new ApiError(503, "Database unavailable"))
      .mockResolvedValueOnce({ todos: [todo(1)], nextCursor: null });
    const api = fakeApi({ listTodos });
    const { result } = renderHook(() => useTodos(api, "all"));
    await waitFor(() => {
      expect(result.current.status).toBe("error");
    });
    expect(result.current.loadError).toEqual({ message: "Database unavailable", reference: null });

    act(() => {
      result.current.retry();
    });
    await waitFor(() => {
      expect(result.current.todos).toHaveLength(1);
    });
  });

  it("ticks a todo and counts it at once, and undoes both when the server refuses", async () => {
    let reject: (error: Error) => void = () => undefined;
    const updateTodo = vi.fn(() => new Promise<Todo>((_, fail) => (reject = fail)));
    const listTodos = vi.fn().mockResolvedValue({ todos: [todo(1)], nextCursor: null });
    const stats = vi.fn().mockResolvedValue({ total: 1, active: 1, completed: 0 });
    const api = fakeApi({ listTodos, updateTodo, stats });
    const { result } = renderHook(() => useTodos(api, "all"));
    await waitFor(() => {
      expect(result.current.stats?.active).toBe(1);
    });

    let done: Promise<void> = Promise.resolve();
    act(() => {
      done = result.current.toggle(todo(1));
    });
    expect(result.current.todos[0]?.completed).toBe(true);
    expect(result.current.stats).toEqual({ total: 1, active: 0, completed: 1 });

    await act(async () => {
      reject(new ApiError(500, "Something went wrong on our side.", "req-42"));
      await done;
    });
    expect(result.current.todos[0]?.completed).toBe(false);
    expect(result.current.stats).toEqual({ total: 1, active: 1, completed: 0 });
    expect(result.current.actionError).toEqual({ message: "Something went wrong on our side.", reference: "req-42" });
    expect(stats).toHaveBeenCalledTimes(1);
  });

  it("hides a todo completed under the Active filter", async () => {
    const updateTodo = vi.fn().mockResolvedValue(todo(1, { completed: true, version: 2 }));
    const listTodos = vi.fn().mockResolvedValue({ todos: [todo(1), todo(2)], nextCursor: null });
    const api = fakeApi({ listTodos, updateTodo });
    const { result } = renderHook(() => useTodos(api, "active"));
    await waitFor(() => {
      expect(result.current.status).toBe("ready");
    });
    await act(() => result.current.toggle(todo(1)));
    expect(result.current.todos.map((t) => t.id)).toEqual(["id-02"]);
  });

  it("on a 412 fetches the current version and returns it as the conflict", async () => {
    const current = todo(1, { title: "Changed elsewhere", version: 3 });
    const updateTodo = vi.fn().mockRejectedValue(new ConflictError());
    const getTodo = vi.fn().mockResolvedValue(current);
    const listTodos = vi.fn().mockResolvedValue({ todos: [todo(1)], nextCursor: null });
    const api = fakeApi({ listTodos, updateTodo, getTodo });
    const { result } = renderHook(() => useTodos(api, "all"));
    await waitFor(() => {
      expect(result.current.status).toBe("ready");
    });

    let outcome: Awaited<ReturnType<typeof result.current.save>> | undefined;
    await act(async () => {
      outcome = await result.current.save(todo(1), { title: "Mine" }, 1);
    });
    expect(updateTodo).toHaveBeenCalledWith("id-01", { title: "Mine" }, 1);
    expect(outcome).toEqual({ ok: false, conflict: current });
    expect(result.current.todos[0]?.title).toBe("Changed elsewhere");
  });

  it("does not show a 401 as an error (the session handler redirects)", async () => {
    const listTodos = vi.fn().mockResolvedValue({ todos: [todo(1)], nextCursor: null });
    const deleteTodo = vi.fn().mockRejectedValue(new ApiError(401, "You need to log in again."));
    const api = fakeApi({ listTodos, deleteTodo });
    const { result } = renderHook(() => useTodos(api, "all"));
    await waitFor(() => {
      expect(result.current.status).toBe("ready");
    });
    act(() => {
      result.current.remove(todo(1));
    });
    expect(result.current.todos).toHaveLength(0);
    act(() => {
      result.current.commitDeletion();
    });
    await waitFor(() => {
      expect(result.current.todos).toHaveLength(1);
    });
    expect(result.current.actionError).toBeNull();
  });
});

describe("useTodos in a list", () => {
  it("loads, counts, adds and clears in the list it is given", async () => {
    const listTodos = vi.fn().mockResolvedValue({ todos: [todo(1, { completed: true })], nextCursor: null });
    const stats = vi.fn().mockResolvedValue({ total: 1, active: 0, completed: 1 });
    const createTodo = vi.fn().mockResolvedValue(todo(2));
    const deleteTodo = vi.fn().mockResolvedValue(undefined);
    const api = fakeApi({ listTodos, stats, createTodo, deleteTodo });
    const { result } = renderHook(() => useTodos(api, "all", { listId: "list-1" }));
    await waitFor(() => {
      expect(result.current.stats?.completed).toBe(1);
    });
    expect(listTodos).toHaveBeenCalledWith({ listId: "list-1", filter: "all", limit: 20 });
    expect(stats).toHaveBeenCalledWith("list-1");

    await act(() => result.current.add("Milk", "key-1"));
    expect(createTodo).toHaveBeenCalledWith({ title: "Milk" }, { idempotencyKey: "key-1", listId: "list-1" });
    await act(() => result.current.clearCompleted());
    expect(result.current.todos.map((t) => t.id)).toEqual(["id-02"]);
    expect(deleteTodo).not.toHaveBeenCalled();
    await act(async () => {
      result.current.commitDeletion();
      await Promise.resolve();
    });
    expect(deleteTodo).toHaveBeenCalledWith("id-01", { expectedVersion: 1, keepalive: false });
    expect(result.current.stats).toEqual({ total: 1, active: 1, completed: 0 });
    expect(stats).toHaveBeenCalledTimes(1);
  });

  it("on a 403 shows the message, puts the todo back and asks for the role again", async () => {
    const onAccessChanged = vi.fn();
    const listTodos = vi.fn().mockResolvedValue({ todos: [todo(1)], nextCursor: null });
    const updateTodo = vi.fn().mockRejectedValue(new ApiError(403, "You can only view this list."));
    const api = fakeApi({ listTodos, updateTodo });
    const { result } = renderHook(() => useTodos(api, "all", { listId: "list-1", onAccessChanged }));
    await waitFor(() => {
      expect(result.current.status).toBe("ready");
    });
    await act(() => result.current.toggle(todo(1)));
    expect(result.current.todos[0]?.completed).toBe(false);
    expect(result.current.actionError).toEqual({ message: "You can only view this list.", reference: null });
    expect(onAccessChanged).toHaveBeenCalledTimes(1);
  });

  it("a refused add (403) rejects for the input and asks for the role again", async () => {
    const onAccessChanged = vi.fn();
    const listTodos = vi.fn().mockResolvedValue({ todos: [], nextCursor: null });
    const createTodo = vi.fn().mockRejectedValue(new ApiError(403, "You can only view this list."));
    const api = fakeApi({ listTodos, createTodo });
    const { result } = renderHook(() => useTodos(api, "all", { listId: "list-1", onAccessChanged }));
    await waitFor(() => {
      expect(result.current.status).toBe("ready");
    });
    await act(async () => {
      await expect(result.current.add("Milk", "key-1")).rejects.toMatchObject({ status: 403 });
    });
    expect(onAccessChanged).toHaveBeenCalledTimes(1);
  });

  it("a list that is gone (404 on load) asks the page to look again; a todo's 404 does not", async () => {
    const onAccessChanged = vi.fn();
    const listTodos = vi.fn().mockRejectedValue(new ApiError(404, "This list no longer exists."));
    const api = fakeApi({ listTodos });
    const { result } = renderHook(() => useTodos(api, "all", { listId: "list-1", onAccessChanged }));
    await waitFor(() => {
      expect(result.current.status).toBe("error");
    });
    expect(onAccessChanged).toHaveBeenCalledTimes(1);

    const deleteTodo = vi.fn().mockRejectedValue(new ApiError(404, "Todo not found"));
    const ok = fakeApi({ listTodos: vi.fn().mockResolvedValue({ todos: [todo(1)], nextCursor: null }), deleteTodo });
    const other = vi.fn();
    const second = renderHook(() => useTodos(ok, "all", { listId: "list-1", onAccessChanged: other }));
    await waitFor(() => {
      expect(second.result.current.status).toBe("ready");
    });
    await act(async () => {
      second.result.current.remove(todo(1));
      second.result.current.commitDeletion();
      await Promise.resolve();
    });
    expect(second.result.current.todos).toEqual([]);
    expect(second.result.current.actionError).toBeNull();
    expect(other).not.toHaveBeenCalled();
  });
});
