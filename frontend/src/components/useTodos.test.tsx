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

  it("moves a todo at once, keeps it there when the server agrees, and puts it back when it refuses", async () => {
    let answer: { resolve: (todo: Todo) => void; reject: (error: Error) => void } = {
      resolve: () => undefined,
      reject: () => undefined,
    };
    const updateTodo = vi.fn(() => new Promise<Todo>((resolve, reject) => (answer = { resolve, reject })));
    const listTodos = vi.fn().mockResolvedValue({ todos: [todo(1), todo(2), todo(3)], nextCursor: null });
    const api = fakeApi({ listTodos, updateTodo });
    const { result } = renderHook(() => useTodos(api, "all"));
    await waitFor(() => {
      expect(result.current.todos).toHaveLength(3);
    });
    const titles = () => result.current.todos.map((t) => t.title);

    let done: Promise<void> = Promise.resolve();
    act(() => {
      done = result.current.move(todo(3), { after: null });
    });
    expect(titles()).toEqual(["Todo 3", "Todo 1", "Todo 2"]);
    expect(updateTodo).toHaveBeenCalledWith(todo(3).id, { after: null });
    await act(async () => {
      answer.resolve(todo(3, { position: "a0", version: 2 }));
      await done;
    });
    expect(titles()).toEqual(["Todo 3", "Todo 1", "Todo 2"]);

    act(() => {
      done = result.current.move(todo(1), { before: null });
    });
    expect(titles()).toEqual(["Todo 3", "Todo 2", "Todo 1"]);
    await act(async () => {
      answer.reject(new ApiError(422, "`before` names no todo of this todo's list"));
      await done;
    });
    expect(titles()).toEqual(["Todo 3", "Todo 1", "Todo 2"]);
    expect(result.current.actionError?.message).toBe("`before` names no todo of this todo's list");
    expect(listTodos).toHaveBeenCalledTimes(1);

    // A 409 (the todo it went beside was deleted elsewhere): the list is fetched again.
    act(() => {
      done = result.current.move(todo(1), { after: todo(2).id });
    });
    await act(async () => {
      answer.reject(new ApiError(409, "`after` names no todo of this todo's list"));
      await done;
    });
    await waitFor(() => {
      expect(listTodos).toHaveBeenCalledTimes(2);
    });
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

/**
 * A server holding todos whose PATCH answers are held until the test lets
 * them through (in any order), honouring If-Match like the backend (412).
 */
function fakeServer(initial: readonly Todo[]) {
  const todos = new Map(initial.map((t) => [t.id, t]));
  const held: (() => void)[] = [];
  const updateTodo = vi.fn<Api["updateTodo"]>(
    (id, changes, expectedVersion) =>
      new Promise((resolve, reject) => {
        held.push(() => {
          const current = todos.get(id);
          if (!current) {
            reject(new ApiError(404, "Todo not found"));
          } else if (expectedVersion !== undefined && expectedVersion !== current.version) {
            reject(new ConflictError());
          } else {
            const next = { ...current, ...changes, version: current.version + 1 };
            todos.set(id, next);
            resolve(next);
          }
        });
      }),
  );
  const deleteTodo = vi.fn<Api["deleteTodo"]>(
    (id, { expectedVersion } = {}) =>
      new Promise((resolve, reject) => {
        held.push(() => {
          const current = todos.get(id);
          if (!current) {
            reject(new ApiError(404, "Todo not found"));
          } else if (expectedVersion !== undefined && expectedVersion !== current.version) {
            reject(new ConflictError());
          } else {
            todos.delete(id);
            resolve();
          }
        });
      }),
  );
  /** Lets the held requests through, newest first, until none is left (a later one may be sent meanwhile). */
  const answerAll = async () => {
    while (held.length > 0) {
      await act(async () => {
        for (const answer of held.splice(0).reverse()) answer();
        // The answers travel through a few promise steps before the next request goes.
        for (let step = 0; step < 20; step += 1) await Promise.resolve();
      });
    }
  };
  /** The current copy, at once (what a rebase fetches after a 412). */
  const getTodo = vi.fn<Api["getTodo"]>((id) => {
    const current = todos.get(id);
    return current ? Promise.resolve(current) : Promise.reject(new ApiError(404, "Todo not found"));
  });
  return { todos, held, updateTodo, deleteTodo, getTodo, answerAll };
}

describe("useTodos: two changes to one todo in flight", () => {
  it("two ticks in quick succession: the second waits for the first, and the last intent wins on the server", async () => {
    const server = fakeServer([todo(1)]);
    const listTodos = vi.fn().mockResolvedValue({ todos: [todo(1)], nextCursor: null });
    const api = fakeApi({ listTodos, updateTodo: server.updateTodo });
    const { result } = renderHook(() => useTodos(api, "all"));
    await waitFor(() => {
      expect(result.current.status).toBe("ready");
    });

    act(() => {
      void result.current.toggle(todo(1));
    });
    const shown = result.current.todos[0];
    expect(shown?.completed).toBe(true);
    act(() => {
      if (shown) void result.current.toggle(shown);
    });
    expect(result.current.todos[0]?.completed).toBe(false);
    expect(server.held).toHaveLength(1);

    await server.answerAll();
    expect(server.updateTodo).toHaveBeenCalledTimes(2);
    expect(server.todos.get("id-01")).toMatchObject({ completed: false, version: 3 });
    expect(result.current.todos[0]).toMatchObject({ completed: false, version: 3 });
    expect(result.current.actionError).toBeNull();
  });

  it("a deletion sent while a tick is on its way waits for it and carries its version", async () => {
    const server = fakeServer([todo(1), todo(2)]);
    const listTodos = vi.fn().mockResolvedValue({ todos: [todo(1), todo(2)], nextCursor: null });
    const api = fakeApi({ listTodos, updateTodo: server.updateTodo, deleteTodo: server.deleteTodo });
    const { result } = renderHook(() => useTodos(api, "all"));
    await waitFor(() => {
      expect(result.current.status).toBe("ready");
    });

    act(() => {
      void result.current.toggle(todo(1));
    });
    const shown = result.current.todos[0];
    act(() => {
      if (shown) result.current.remove(shown);
    });
    act(() => {
      result.current.commitDeletion();
    });
    expect(server.held).toHaveLength(1);

    await server.answerAll();
    expect(server.deleteTodo).toHaveBeenCalledWith("id-01", { expectedVersion: 2, keepalive: false });
    expect([...server.todos.keys()]).toEqual(["id-02"]);
    expect(result.current.todos.map((t) => t.id)).toEqual(["id-02"]);
    expect(result.current.actionError).toBeNull();
  });

  it("mark all complete, then at once incomplete: the second round carries the first round's versions", async () => {
    const initial = [todo(1), todo(2), todo(3, { completed: true, version: 5 })];
    const server = fakeServer(initial);
    const listTodos = vi.fn().mockResolvedValue({ todos: initial, nextCursor: null });
    const stats = vi.fn().mockResolvedValue({ total: 3, active: 2, completed: 1 });
    const api = fakeApi({ listTodos, stats, updateTodo: server.updateTodo });
    const { result } = renderHook(() => useTodos(api, "all"));
    await waitFor(() => {
      expect(result.current.stats?.active).toBe(2);
    });

    let complete: Promise<void> = Promise.resolve();
    act(() => {
      complete = result.current.markAll(true);
    });
    await waitFor(() => {
      expect(server.held).toHaveLength(2);
    });
    let incomplete: Promise<void> = Promise.resolve();
    act(() => {
      incomplete = result.current.markAll(false);
    });
    await waitFor(() => {
      expect(result.current.todos.map((t) => t.completed)).toEqual([false, false, false]);
    });
    // "Three" had no change on its way: its PATCH goes at once; the other two wait for theirs.
    expect(server.held).toHaveLength(3);
    // Counted once: the second change is measured from the server's copy, not from the first's.
    expect(result.current.stats).toEqual({ total: 3, active: 3, completed: 0 });

    await server.answerAll();
    await act(() => Promise.all([complete, incomplete]));
    expect(server.updateTodo.mock.calls).toEqual([
      ["id-01", { completed: true }, 1],
      ["id-02", { completed: true }, 1],
      ["id-03", { completed: false }, 5],
      ["id-02", { completed: false }, 2],
      ["id-01", { completed: false }, 2],
    ]);
    expect([...server.todos.values()].map((t) => t.completed)).toEqual([false, false, false]);
    expect(result.current.todos.map((t) => t.completed)).toEqual([false, false, false]);
    expect(result.current.stats).toEqual({ total: 3, active: 3, completed: 0 });
    expect(result.current.actionError).toBeNull();
  });

  it("a rename elsewhere before the first change lands: both are made again on the renamed copy (rebased), the rename kept", async () => {
    const server = fakeServer([todo(1)]);
    const listTodos = vi.fn().mockResolvedValue({ todos: [todo(1)], nextCursor: null });
    const api = fakeApi({ listTodos, updateTodo: server.updateTodo, getTodo: server.getTodo });
    const { result } = renderHook(() => useTodos(api, "all"));
    await waitFor(() => {
      expect(result.current.status).toBe("ready");
    });
    act(() => {
      void result.current.markAll(true);
    });
    await waitFor(() => {
      expect(server.held).toHaveLength(1);
    });
    act(() => {
      void result.current.markAll(false);
    });
    await waitFor(() => {
      expect(result.current.todos[0]?.completed).toBe(false);
    });
    // Someone else renames it before our first change lands: each of ours gets a 412, and is made again on their copy.
    server.todos.set("id-01", todo(1, { title: "Theirs", version: 2 }));
    await server.answerAll();
    expect(server.updateTodo.mock.calls).toEqual([
      ["id-01", { completed: true }, 1],
      ["id-01", { completed: true }, 2],
      ["id-01", { completed: false }, 1],
      ["id-01", { completed: false }, 3],
    ]);
    expect(server.todos.get("id-01")).toMatchObject({ title: "Theirs", completed: false, version: 4 });
    await waitFor(() => {
      expect(result.current.todos[0]).toMatchObject({ title: "Theirs", completed: false });
    });
    expect(result.current.actionError).toBeNull();
  });

  it("an edit of the title after a tick elsewhere is saved on the ticked copy; after a rename elsewhere it is a conflict", async () => {
    const server = fakeServer([todo(1), todo(2)]);
    const listTodos = vi.fn().mockResolvedValue({ todos: [todo(1), todo(2)], nextCursor: null });
    const api = fakeApi({ listTodos, updateTodo: server.updateTodo, getTodo: server.getTodo });
    const { result } = renderHook(() => useTodos(api, "all"));
    await waitFor(() => {
      expect(result.current.status).toBe("ready");
    });
    server.todos.set("id-01", todo(1, { completed: true, version: 2 }));
    server.todos.set("id-02", todo(2, { title: "Renamed elsewhere", version: 2 }));
    let saves: Promise<unknown>[] = [];
    act(() => {
      saves = [result.current.save(todo(1), { title: "Mine" }, 1), result.current.save(todo(2), { title: "Mine too" }, 1)];
    });
    await server.answerAll();
    const [ticked, renamed] = await act(() => Promise.all(saves));
    expect(ticked).toEqual({ ok: true, todo: todo(1, { title: "Mine", completed: true, version: 3 }) });
    expect(renamed).toEqual({ ok: false, conflict: todo(2, { title: "Renamed elsewhere", version: 2 }) });
    expect(server.todos.get("id-02")?.title).toBe("Renamed elsewhere");
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

  it("sends adds made in a row one after another, in the order made, past a failed one", async () => {
    const listTodos = vi.fn().mockResolvedValue({ todos: [], nextCursor: null });
    const answers: { title: string; answer: () => void; fail: () => void }[] = [];
    const createTodo = vi.fn(
      ({ title }: { title: string }) =>
        new Promise<Todo>((resolve, reject) => {
          const n = answers.length + 1;
          answers.push({
            title,
            answer: () => {
              resolve(todo(n, { title }));
            },
            fail: () => {
              reject(new ApiError(503, "The database is unavailable."));
            },
          });
        }),
    );
    const api = fakeApi({ listTodos, createTodo });
    const { result } = renderHook(() => useTodos(api, "all", { listId: "list-1" }));
    await waitFor(() => {
      expect(result.current.status).toBe("ready");
    });
    let adds: Promise<unknown>[] = [];
    act(() => {
      adds = ["One", "Two", "Three"].map((title, n) => result.current.add(title, `key-${n}`).catch(() => null));
    });
    expect(result.current.todos.map((t) => t.title)).toEqual(["One", "Two", "Three"]);
    await act(async () => {
      await Promise.resolve();
    });
    expect(answers.map((a) => a.title)).toEqual(["One"]);
    await act(async () => {
      answers[0]?.fail();
      await adds[0];
    });
    expect(answers.map((a) => a.title)).toEqual(["One", "Two"]);
    await act(async () => {
      answers[1]?.answer();
      await adds[1];
    });
    expect(answers.map((a) => a.title)).toEqual(["One", "Two", "Three"]);
    await act(async () => {
      answers[2]?.answer();
      await adds[2];
    });
    expect(result.current.todos.map((t) => t.title)).toEqual(["Two", "Three"]);
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
