"use client";

import { useCallback, useEffect, useRef, useState } from "react";

import type { Api, ListId, Todo, TodoChanges, TodoStats } from "@/api/client";
import { ApiError, ConflictError } from "@/api/errors";
import { isTodoEvent, needsRefetch } from "@/api/live-events";
import type { Filter } from "@/lib/filter";
import {
  addCounts,
  countsDelta,
  type KnownTodos,
  learnGone,
  learnTodo,
  placeTodo,
  settlePage,
  type TodoChange,
  todoEventChange,
  visibleTodos,
} from "@/lib/live-todos";
import { mergeTodos } from "@/lib/todo-list";

import { useLiveEvent } from "./useLiveEvents";

export const PAGE_SIZE = 20;
/** The backend's largest page (`limit` ≤ 200): a refetch asks for as many todos as were loaded, up to this. */
const MAX_PAGE_SIZE = 200;
/** Changes whose effect on the counts is unknown come in bursts (a "Clear completed" elsewhere): ask once. */
const STATS_REFETCH_DELAY_MS = 300;

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
  /** Every todo loaded so far, oldest first; the filter is applied when showing them. */
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
   * The list's id as live events name it: `listId`, or the personal list's
   * id (which `/todo` does not need, and the page learns from GET /lists).
   * Until it is known, events for the list are not recognised.
   */
  liveListId?: string;
  /**
   * Called when the server refuses an action for lack of a role (403) or no
   * longer knows the list (404), so the page can reload the list's role.
   * Keep it stable (useCallback): the loaders depend on it.
   */
  onAccessChanged?: () => void;
}

/**
 * The todos of one list under one filter: loading, paging, and every change
 * the user can make, with the counts ("N items left") kept fresh; and every
 * change made elsewhere, as the live stream reports it.
 *
 * Changes update the list in place (from the server's answer, or the event)
 * instead of refetching, so the scroll position and loaded pages stay put.
 * Copies of a todo are weighed by version (src/lib/live-todos.ts), so an
 * event repeated, or arriving after this tab's own answer, changes nothing.
 */
export function useTodos(api: Api, filter: Filter, { listId, liveListId, onAccessChanged }: TodoScope = {}) {
  const [reloads, setReloads] = useState(0);
  /** Refetches after a resync: the list stays on screen while they run. */
  const [refetches, setRefetches] = useState(0);
  const [statsRequests, setStatsRequests] = useState(0);
  const listKey = listId ?? "personal";
  const key = `${listKey}/${filter}#${reloads}`;
  const [list, setList] = useState<LoadedList | null>(null);
  /** The counts, tagged with the list they are for. */
  const [stats, setStats] = useState<{ listKey: string; value: TodoStats } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  /** The last failed action (or an edit lost to a change elsewhere), shown in a banner until dismissed. */
  const [actionError, setActionError] = useState<string | null>(null);
  /** Todos with an open editor: shown even when the filter would hide them. */
  const [editing, setEditingIds] = useState<ReadonlySet<string>>(() => new Set());

  /** The newest copy of each todo of the list seen since it was last loaded (or that it left). */
  const known = useRef<KnownTodos>(new Map());
  /** While the first page loads: the todos that changed meanwhile, to place once it lands. */
  const changedDuringLoad = useRef<Set<string> | null>(null);
  /** While "Load more" runs: the same, to place once the next page lands. */
  const changedDuringLoadMore = useRef<Set<string> | null>(null);
  /** The list on screen (its key and size), for a refetch to ask for as many todos. */
  const shown = useRef<{ key: string | null; count: number }>({ key: null, count: 0 });
  /** A counts request is running; `stale`: a change came meanwhile, its answer may predate it. */
  const statsLoad = useRef({ running: false, stale: false });
  const statsTimer = useRef<ReturnType<typeof setTimeout>>(undefined);

  useEffect(() => {
    shown.current = { key: list?.key ?? null, count: list?.todos.length ?? 0 };
  }, [list]);

  /** Tells the page when a failure means the list's role or membership changed. */
  const noticeAccessChange = useCallback(
    (error: unknown, listLevel = false) => {
      if (isAccessChange(error, listLevel)) onAccessChanged?.();
    },
    [onAccessChanged],
  );

  // Load the first page whenever the list or filter changes, the user retries,
  // or the stream says changes were missed (then as many todos as are shown,
  // and the list stays on screen meanwhile).
  useEffect(() => {
    let current = true;
    const refetch = shown.current.key === key;
    const limit = refetch ? Math.min(MAX_PAGE_SIZE, Math.max(PAGE_SIZE, shown.current.count)) : PAGE_SIZE;
    // What was known belongs to the last load; changes from now on are placed when this one lands.
    known.current = new Map();
    const changed = new Set<string>();
    changedDuringLoad.current = changed;
    api.listTodos({ listId, filter, limit }).then(
      (page) => {
        if (!current) return;
        changedDuringLoad.current = null;
        let todos = settlePage(known.current, page.todos);
        for (const id of changed) {
          todos = placeTodo({ todos, nextCursor: page.nextCursor }, id, known.current.get(id)?.todo ?? null, filter);
        }
        setList({ key, todos, nextCursor: page.nextCursor, error: null });
      },
      (error: unknown) => {
        if (!current) return;
        changedDuringLoad.current = null;
        // A failed refetch keeps the list on screen; the next resync tries again.
        if (isSessionEnd(error) || refetch) return;
        setList({ key, todos: [], nextCursor: null, error: messageOf(error) });
        noticeAccessChange(error, true);
      },
    );
    return () => {
      current = false;
    };
  }, [api, listId, filter, key, refetches, noticeAccessChange]);

  // The counts: with the list, and again whenever a change's effect on them is unknown.
  useEffect(() => {
    let current = true;
    statsLoad.current = { running: true, stale: false };
    api
      .stats(listId)
      .then(
        (value) => {
          if (current) setStats({ listKey, value });
        },
        () => {
          // The counts are secondary: keep showing the last ones.
        },
      )
      .finally(() => {
        if (!current) return;
        const { stale } = statsLoad.current;
        statsLoad.current = { running: false, stale: false };
        // A change arrived while this was on its way, so it may or may not count it: ask again.
        if (stale) setStatsRequests((count) => count + 1);
      });
    return () => {
      current = false;
    };
  }, [api, listId, listKey, key, refetches, statsRequests]);

  const refetchStatsSoon = useCallback(() => {
    clearTimeout(statsTimer.current);
    statsTimer.current = setTimeout(() => {
      setStatsRequests((count) => count + 1);
    }, STATS_REFETCH_DELAY_MS);
  }, []);
  useEffect(
    () => () => {
      clearTimeout(statsTimer.current);
    },
    [],
  );

  const status: ListStatus = list?.key !== key ? "loading" : list.error ? "error" : "ready";
  // Counts of another list must not show while this one loads.
  const shownStats = stats?.listKey === listKey ? stats.value : null;

  /** Shows todo `id` as it is now (null: gone) in the loaded list, wherever it belongs. */
  const placeInList = useCallback(
    (id: string, current: Todo | null) => {
      if (changedDuringLoad.current) {
        changedDuringLoad.current.add(id);
        return;
      }
      changedDuringLoadMore.current?.add(id);
      setList((previous) =>
        previous?.key === key && !previous.error
          ? { ...previous, todos: placeTodo(previous, id, current, filter) }
          : previous,
      );
    },
    [key, filter],
  );

  /** A change the server confirmed (an event, or the answer to our request): the counts and the list follow. */
  const apply = useCallback(
    (change: TodoChange) => {
      const delta = countsDelta(change);
      if (delta === null) {
        refetchStatsSoon();
      } else {
        setStats((previous) =>
          previous?.listKey === listKey ? { listKey, value: addCounts(previous.value, delta) } : previous,
        );
        if (statsLoad.current.running) statsLoad.current.stale = true;
      }
      placeInList(change.id, change.after);
      if (change.after === null) {
        setEditingIds((previous) => {
          if (!previous.has(change.id)) return previous;
          const next = new Set(previous);
          next.delete(change.id);
          return next;
        });
      }
    },
    [listKey, placeInList, refetchStatsSoon],
  );

  /** Takes in a server copy from one of our own requests; if an event brought a newer one first, that one stays. */
  const confirm = useCallback(
    (todo: Todo, ifUnseen?: null) => {
      const change = learnTodo(known.current, todo, ifUnseen);
      if (change) apply(change);
      else placeInList(todo.id, known.current.get(todo.id)?.todo ?? null);
    },
    [apply, placeInList],
  );

  // Changes made elsewhere (other people, other tabs), as the live stream reports them.
  const eventsListId = liveListId ?? list?.todos[0]?.list_id;
  useLiveEvent((event) => {
    if (needsRefetch(event)) {
      setRefetches((count) => count + 1);
      return;
    }
    // Resumed: the missed events follow, and one created before the counts were
    // last fetched would be counted twice. Ask for the counts once they are in.
    if (event.type === "ready") {
      refetchStatsSoon();
      return;
    }
    if (!isTodoEvent(event) || eventsListId === undefined) return;
    const change = todoEventChange(known.current, eventsListId, event);
    if (change === null) return;
    if (change.after === null && editing.has(change.id)) {
      const title = change.before?.title ?? list?.todos.find((todo) => todo.id === change.id)?.title ?? "This todo";
      const where = event.type === "todo.moved" ? "was moved to another list" : "was deleted";
      setActionError(`“${title}” ${where} somewhere else, so your changes to it were not saved.`);
    }
    apply(change);
  });

  /** The editor of a todo opened or closed (TodoItem tells us). */
  const setEditing = useCallback((id: string, isEditing: boolean) => {
    setEditingIds((previous) => {
      if (previous.has(id) === isEditing) return previous;
      const next = new Set(previous);
      if (isEditing) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);

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
        confirm(todo, null);
        return todo;
      } catch (error) {
        noticeAccessChange(error, true);
        throw error;
      }
    },
    [api, listId, confirm, noticeAccessChange],
  );

  /** Ticks or unticks a todo at once, and puts it back if the server says no. */
  const toggle = useCallback(
    async (todo: Todo) => {
      placeInList(todo.id, { ...todo, completed: !todo.completed });
      try {
        confirm(await api.updateTodo(todo.id, { completed: !todo.completed }));
      } catch (error) {
        // Back to the newest copy known (an event may have brought one meanwhile).
        placeInList(todo.id, known.current.get(todo.id)?.todo ?? todo);
        reportError(error);
      }
    },
    [api, placeInList, confirm, reportError],
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
        confirm(saved);
        return { ok: true, todo: saved };
      } catch (error) {
        if (error instanceof ConflictError) {
          try {
            const current = await api.getTodo(todo.id);
            confirm(current);
            return { ok: false, conflict: current };
          } catch (reloadError) {
            return { ok: false, message: messageOf(reloadError) };
          }
        }
        noticeAccessChange(error);
        return { ok: false, message: messageOf(error) };
      }
    },
    [api, confirm, noticeAccessChange],
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
      const change = learnGone(known.current, todo.id, todo.version);
      if (change) apply(change);
    },
    [api, apply, reportError],
  );

  const clearCompleted = useCallback(async () => {
    try {
      await api.clearCompleted(listId);
    } catch (error) {
      reportError(error, true);
      return;
    }
    for (const todo of list?.todos ?? []) {
      if (!todo.completed) continue;
      learnGone(known.current, todo.id, todo.version);
      placeInList(todo.id, null);
    }
    // Completed todos on pages not loaded went too: the server knows how many.
    setStatsRequests((count) => count + 1);
  }, [api, listId, list, placeInList, reportError]);

  const loadMore = useCallback(async () => {
    const cursor = list?.nextCursor;
    if (!cursor || loadingMore) return;
    setLoadingMore(true);
    const changed = new Set<string>();
    changedDuringLoadMore.current = changed;
    try {
      const page = await api.listTodos({ listId, filter, cursor, limit: PAGE_SIZE });
      changedDuringLoadMore.current = null;
      const loaded = settlePage(known.current, page.todos);
      // A todo that changed while the page was on its way (one created, say) belongs on it if it is the last page.
      const changedNow = [...changed].map((id) => ({ id, todo: known.current.get(id)?.todo ?? null }));
      setList((previous) => {
        if (previous?.key !== key) return previous;
        let todos = mergeTodos(previous.todos, loaded);
        for (const { id, todo } of changedNow) todos = placeTodo({ todos, nextCursor: page.nextCursor }, id, todo, filter);
        return { ...previous, todos, nextCursor: page.nextCursor };
      });
    } catch (error) {
      reportError(error, true);
    } finally {
      changedDuringLoadMore.current = null;
      setLoadingMore(false);
    }
  }, [api, listId, filter, key, list?.nextCursor, loadingMore, reportError]);

  return {
    status,
    todos: status === "ready" && list ? visibleTodos(list.todos, filter, editing) : [],
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
    setEditing,
    add,
    toggle,
    save,
    remove,
    clearCompleted,
    loadMore,
  };
}
