"use client";

import { useCallback, useEffect, useState } from "react";

import type { Api, Todo, TodoChanges, TodoStats } from "@/api/client";
import { ApiError, ConflictError } from "@/api/errors";
import { type Filter, matchesFilter } from "@/lib/filter";
import { mergeTodos } from "@/lib/todo-list";

export const PAGE_SIZE = 20;

/** What the list area shows. */
export type ListStatus = "loading" | "ready" | "error";

/** The outcome of saving an edit, for the inline editor to act on. */
export type SaveResult =
  | { ok: true; todo: Todo }
  | { ok: false; conflict: Todo }
  | { ok: false; message: string };

interface LoadedList {
  /** Which filter + reload this list was loaded for. */
  key: string;
  todos: Todo[];
  nextCursor: string | null;
  error: string | null;
}

/** A 401 is handled centrally (redirect to login), so it is not shown as an error. */
function isSessionEnd(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : "Something went wrong.";
}

/**
 * The todo list for one filter: loading, paging, and every change the user
 * can make, with the counts ("N items left") kept fresh.
 *
 * Mutations update the list in place from the server's answer instead of
 * refetching, so the scroll position and loaded pages stay put.
 */
export function useTodos(api: Api, filter: Filter) {
  const [reloads, setReloads] = useState(0);
  const key = `${filter}#${reloads}`;
  const [list, setList] = useState<LoadedList | null>(null);
  const [stats, setStats] = useState<TodoStats | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  /** The last failed action, shown in a banner until dismissed. */
  const [actionError, setActionError] = useState<string | null>(null);

  // Load the first page whenever the filter changes (or the user retries).
  useEffect(() => {
    let current = true;
    api.listTodos({ filter, limit: PAGE_SIZE }).then(
      (page) => {
        if (current) setList({ key, todos: page.todos, nextCursor: page.nextCursor, error: null });
      },
      (error: unknown) => {
        if (current && !isSessionEnd(error)) setList({ key, todos: [], nextCursor: null, error: messageOf(error) });
      },
    );
    return () => {
      current = false;
    };
  }, [api, filter, key]);

  const refreshStats = useCallback(() => {
    api.stats().then(setStats, () => {
      // The counts are secondary: keep showing the last ones.
    });
  }, [api]);

  useEffect(refreshStats, [refreshStats, key]);

  const status: ListStatus = list?.key !== key ? "loading" : list.error ? "error" : "ready";

  /** Applies a change to the loaded todos, dropping those the filter now hides. */
  const updateList = useCallback(
    (change: (todos: Todo[]) => Todo[]) => {
      setList((previous) =>
        previous ? { ...previous, todos: change(previous.todos).filter((t) => matchesFilter(t, filter)) } : previous,
      );
    },
    [filter],
  );

  const replaceTodo = useCallback(
    (todo: Todo) => {
      updateList((todos) => todos.map((t) => (t.id === todo.id ? todo : t)));
    },
    [updateList],
  );

  const reportError = useCallback((error: unknown) => {
    if (!isSessionEnd(error)) setActionError(messageOf(error));
  }, []);

  /** Adds a todo; throws on failure so the input can keep the user's text. */
  const add = useCallback(
    async (title: string, idempotencyKey: string): Promise<Todo> => {
      const todo = await api.createTodo({ title }, idempotencyKey);
      updateList((todos) => mergeTodos(todos, [todo]));
      refreshStats();
      return todo;
    },
    [api, updateList, refreshStats],
  );

  /** Ticks or unticks a todo at once, and puts it back if the server says no. */
  const toggle = useCallback(
    async (todo: Todo) => {
      replaceTodo({ ...todo, completed: !todo.completed });
      try {
        replaceTodo(await api.updateTodo(todo.id, { completed: !todo.completed }));
        refreshStats();
      } catch (error) {
        // Restore the original (re-inserting it if the filter had hidden it).
        updateList((todos) => mergeTodos(todos, [todo]));
        reportError(error);
      }
    },
    [api, replaceTodo, updateList, refreshStats, reportError],
  );

  /**
   * Saves an edit made from `baseVersion`. When someone else saved first the
   * server answers 412; we then fetch its current copy, show it in the list and
   * hand it back so the editor can show both versions.
   */
  const save = useCallback(
    async (todo: Todo, changes: TodoChanges, baseVersion: number): Promise<SaveResult> => {
      try {
        const saved = await api.updateTodo(todo.id, changes, baseVersion);
        replaceTodo(saved);
        refreshStats();
        return { ok: true, todo: saved };
      } catch (error) {
        if (error instanceof ConflictError) {
          try {
            const current = await api.getTodo(todo.id);
            replaceTodo(current);
            return { ok: false, conflict: current };
          } catch (reloadError) {
            return { ok: false, message: messageOf(reloadError) };
          }
        }
        return { ok: false, message: messageOf(error) };
      }
    },
    [api, replaceTodo, refreshStats],
  );

  const remove = useCallback(
    async (todo: Todo) => {
      try {
        await api.deleteTodo(todo.id);
      } catch (error) {
        // Already gone (deleted in another tab): remove it here too.
        if (!(error instanceof ApiError && error.status === 404)) {
          reportError(error);
          return;
        }
      }
      updateList((todos) => todos.filter((t) => t.id !== todo.id));
      refreshStats();
    },
    [api, updateList, refreshStats, reportError],
  );

  const clearCompleted = useCallback(async () => {
    try {
      await api.clearCompleted();
      updateList((todos) => todos.filter((t) => !t.completed));
      refreshStats();
    } catch (error) {
      reportError(error);
    }
  }, [api, updateList, refreshStats, reportError]);

  const loadMore = useCallback(async () => {
    const cursor = list?.nextCursor;
    if (!cursor || loadingMore) return;
    setLoadingMore(true);
    try {
      const page = await api.listTodos({ filter, cursor, limit: PAGE_SIZE });
      setList((previous) =>
        previous?.key === key
          ? { ...previous, todos: mergeTodos(previous.todos, page.todos), nextCursor: page.nextCursor }
          : previous,
      );
    } catch (error) {
      reportError(error);
    } finally {
      setLoadingMore(false);
    }
  }, [api, filter, key, list?.nextCursor, loadingMore, reportError]);

  return {
    status,
    todos: status === "ready" && list ? list.todos : [],
    loadError: status === "error" ? (list?.error ?? null) : null,
    hasMore: status === "ready" && Boolean(list?.nextCursor),
    loadingMore,
    stats,
    actionError,
    dismissActionError: () => {
      setActionError(null);
    },
    retry: () => {
      setReloads((count) => count + 1);
    },
    add,
    toggle,
    save,
    remove,
    clearCompleted,
    loadMore,
  };
}
