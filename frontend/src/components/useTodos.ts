"use client";

import { useCallback, useEffect, useState } from "react";

import type { Api, ListId, Todo, TodoChanges, TodoStats } from "@/api/client";
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
 * A 403 (the caller's role no longer allows this) or a 404 on the list
 * itself (deleted, or the caller was removed): what the page knows about the
 * list is out of date.
 */
function isAccessChange(error: unknown, listLevel: boolean): boolean {
  return error instanceof ApiError && (error.status === 403 || (listLevel && error.status === 404));
}

export interface TodoScope {
  /** The list shown; undefined for the caller's personal list (the `/todo` endpoints). */
  listId?: ListId;
  /**
   * Called when the server refuses an action for lack of a role (403) or no
   * longer knows the list (404), so the page can reload the list's role.
   * Keep it stable (useCallback): the loaders depend on it.
   */
  onAccessChanged?: () => void;
}

/**
 * The todos of one list under one filter: loading, paging, and every change
 * the user can make, with the counts ("N items left") kept fresh.
 *
 * Mutations update the list in place from the server's answer instead of
 * refetching, so the scroll position and loaded pages stay put.
 */
export function useTodos(api: Api, filter: Filter, { listId, onAccessChanged }: TodoScope = {}) {
  const [reloads, setReloads] = useState(0);
  const listKey = listId ?? "personal";
  const key = `${listKey}/${filter}#${reloads}`;
  const [list, setList] = useState<LoadedList | null>(null);
  /** The counts, tagged with the list they are for. */
  const [stats, setStats] = useState<{ listKey: string; value: TodoStats } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  /** The last failed action, shown in a banner until dismissed. */
  const [actionError, setActionError] = useState<string | null>(null);

  /** Tells the page when a failure means the list's role or membership changed. */
  const noticeAccessChange = useCallback(
    (error: unknown, listLevel = false) => {
      if (isAccessChange(error, listLevel)) onAccessChanged?.();
    },
    [onAccessChanged],
  );

  // Load the first page whenever the list or filter changes (or the user retries).
  useEffect(() => {
    let current = true;
    api.listTodos({ listId, filter, limit: PAGE_SIZE }).then(
      (page) => {
        if (current) setList({ key, todos: page.todos, nextCursor: page.nextCursor, error: null });
      },
      (error: unknown) => {
        if (!current || isSessionEnd(error)) return;
        setList({ key, todos: [], nextCursor: null, error: messageOf(error) });
        noticeAccessChange(error, true);
      },
    );
    return () => {
      current = false;
    };
  }, [api, listId, filter, key, noticeAccessChange]);

  const refreshStats = useCallback(() => {
    api.stats(listId).then(
      (value) => {
        setStats({ listKey, value });
      },
      () => {
        // The counts are secondary: keep showing the last ones.
      },
    );
  }, [api, listId, listKey]);

  useEffect(refreshStats, [refreshStats, key]);

  const status: ListStatus = list?.key !== key ? "loading" : list.error ? "error" : "ready";
  // Counts of another list must not show while this one loads.
  const shownStats = stats?.listKey === listKey ? stats.value : null;

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

  const reportError = useCallback(
    (error: unknown, listLevel = false) => {
      if (isSessionEnd(error)) return;
      setActionError(messageOf(error));
      noticeAccessChange(error, listLevel);
    },
    [noticeAccessChange],
  );

  /** Adds a todo; throws on failure so the input can keep the user's text. */
  const add = useCallback(
    async (title: string, idempotencyKey: string): Promise<Todo> => {
      try {
        const todo = await api.createTodo({ title }, { idempotencyKey, listId });
        updateList((todos) => mergeTodos(todos, [todo]));
        refreshStats();
        return todo;
      } catch (error) {
        noticeAccessChange(error, true);
        throw error;
      }
    },
    [api, listId, updateList, refreshStats, noticeAccessChange],
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
        noticeAccessChange(error);
        return { ok: false, message: messageOf(error) };
      }
    },
    [api, replaceTodo, refreshStats, noticeAccessChange],
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
      await api.clearCompleted(listId);
      updateList((todos) => todos.filter((t) => !t.completed));
      refreshStats();
    } catch (error) {
      reportError(error, true);
    }
  }, [api, listId, updateList, refreshStats, reportError]);

  const loadMore = useCallback(async () => {
    const cursor = list?.nextCursor;
    if (!cursor || loadingMore) return;
    setLoadingMore(true);
    try {
      const page = await api.listTodos({ listId, filter, cursor, limit: PAGE_SIZE });
      setList((previous) =>
        previous?.key === key
          ? { ...previous, todos: mergeTodos(previous.todos, page.todos), nextCursor: page.nextCursor }
          : previous,
      );
    } catch (error) {
      reportError(error, true);
    } finally {
      setLoadingMore(false);
    }
  }, [api, listId, filter, key, list?.nextCursor, loadingMore, reportError]);

  return {
    status,
    todos: status === "ready" && list ? list.todos : [],
    loadError: status === "error" ? (list?.error ?? null) : null,
    hasMore: status === "ready" && Boolean(list?.nextCursor),
    loadingMore,
    stats: shownStats,
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
