"use client";

import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import type { Api, ListId, Todo, TodoChanges, TodoStats } from "@/api/client";
import { ApiError, ConflictError } from "@/api/errors";
import { isTodoEvent, needsRefetch, type TodoEvent } from "@/api/live-events";
import type { Filter } from "@/lib/filter";
import {
  addCounts,
  countsDelta,
  countsWithPending,
  type KnownTodos,
  learnGone,
  learnTodo,
  PENDING_ID_PREFIX,
  type PendingChange,
  type PendingChanges,
  isPendingTodo,
  placeTodo,
  rebasePending,
  settlePage,
  showPending,
  type TodoChange,
  todoEventChange,
  visibleTodos,
  withNewPending,
  withPending,
} from "@/lib/live-todos";
import { type Problem, problem, problemOf } from "@/lib/problem";
import { inTurn, RebaseConflict, type RebaseIo, sendRebasing, TodoChangeQueue, type Turns } from "@/lib/todo-changes";
import { addingPosition, mergeTodos, type Place, positionFor } from "@/lib/todo-list";

import { useLiveEvent } from "./useLiveEvents";

export const PAGE_SIZE = 20;
/** The backend's largest page (`limit` ≤ 200): a refetch asks for as many todos as were loaded, up to this. */
const MAX_PAGE_SIZE = 200;
/** Changes whose effect on the counts is unknown come in bursts (a "Clear completed" elsewhere): ask once. */
const STATS_REFETCH_DELAY_MS = 300;
/** "Mark all" and a deferred "Clear completed" send one request per todo: this many at a time. */
const PARALLEL_REQUESTS = 4;

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
  /** Every todo loaded so far, as the server has them, oldest first; the filter is applied when showing them. */
  todos: Todo[];
  nextCursor: string | null;
  error: Problem | null;
}

/**
 * Todos the user deleted whose DELETE has not been sent yet: they are hidden
 * at once and sent when the undo toast goes (see `deferDeletion`).
 */
export interface PendingDeletion {
  /** Tells one deletion's toast from the next. */
  id: number;
  /** As they were when deleted: the DELETE carries each one's version (If-Match). */
  todos: readonly Todo[];
  /** What the toast says. */
  message: string;
  /** The pending change hiding each todo, by id. */
  entries: ReadonlyMap<string, PendingChange>;
}

/** A 401 is handled centrally (redirect to login), so it is not shown as an error. */
function isSessionEnd(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}

/** A 404 on a todo: it was deleted (or moved away) somewhere else. */
function isTodoGone(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

/** “Title” for messages, shortened so a long title does not drown the sentence. */
function quoted(todo: Todo): string {
  return `“${todo.title.length > 60 ? `${todo.title.slice(0, 57)}…` : todo.title}”`;
}

function todosCount(count: number): string {
  return count === 1 ? "1 todo" : `${count} todos`;
}

/** Runs `task` for every item, at most `limit` at a time. */
async function forEachInParallel<T>(
  items: readonly T[],
  task: (item: T) => Promise<void>,
  limit = PARALLEL_REQUESTS,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      if (item !== undefined) await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
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
 *
 * The user's own changes show before the server answers (`pending`): a tick
 * and "mark all" at once, an added todo as a temporary row, a deleted one
 * hidden until its undo toast goes; the counts follow them. A refusal puts
 * the todo back as the server has it and says why.
 */
export function useTodos(api: Api, filter: Filter, { listId, liveListId, onAccessChanged }: TodoScope = {}) {
  const [reloads, setReloads] = useState(0);
  /** Refetches after a resync: the list stays on screen while they run. */
  const [refetches, setRefetches] = useState(0);
  const [statsRequests, setStatsRequests] = useState(0);
  const listKey = listId ?? "personal";
  const key = `${listKey}/${filter}#${reloads}`;
  const [list, setList] = useState<LoadedList | null>(null);
  /** The counts as the server has them, tagged with the list they are for. */
  const [stats, setStats] = useState<{ listKey: string; value: TodoStats } | null>(null);
  /** The user's changes the server has not confirmed yet, shown meanwhile. */
  const [pending, setPending] = useState<PendingChanges>(() => new Map());
  /** The deletion whose undo toast is showing (its DELETEs not sent yet). */
  const [deletion, setDeletion] = useState<PendingDeletion | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  /** The last failed action (or an edit lost to a change elsewhere), shown in a banner until dismissed. */
  const [actionError, setActionError] = useState<Problem | null>(null);
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
  /** The deletion waiting for its toast to go, for the page-hide and unmount handlers (which read no state). */
  const deferred = useRef<PendingDeletion | null>(null);
  const deletionIds = useRef(0);
  /**
   * Adds on their way, and the todo events that came meanwhile. Our own
   * `todo.created` can arrive before the answer to the POST; applied then,
   * it would show the todo beside its temporary row. So todo events wait
   * until the adds have settled, and are then applied in order (the echo is
   * then no news: same version).
   */
  const ownAdds = useRef(0);
  /** Numbers the user's pending changes (PendingChange.action). */
  const actions = useRef(0);
  const heldEvents = useRef<TodoEvent[]>([]);
  /**
   * This tab's changes, one after another per todo: a change sent while an
   * earlier one to the same todo is on its way waits for it and carries the
   * version it left (src/lib/todo-changes.ts).
   */
  const [changes] = useState(() => new TodoChangeQueue());

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
        setList({ key, todos: [], nextCursor: null, error: problemOf(error) });
        noticeAccessChange(error, true);
      },
    );
    return () => {
      current = false;
    };
  }, [api, listId, filter, key, refetches, noticeAccessChange]);

  // The counts: with the list (first load, retry, resync), and again whenever
  // a change's effect on them is unknown. The user's own changes need no
  // request: their effect is known.
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
  const shownStats = stats?.listKey === listKey ? countsWithPending(stats.value, pending) : null;

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
      setPending((previous) => rebasePending(previous, change));
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

  /** Takes in that a todo is gone (our DELETE, or a 404: deleted elsewhere). */
  const confirmGone = useCallback(
    (todo: Todo) => {
      const change = learnGone(known.current, todo.id, todo.version);
      if (change) apply(change);
    },
    [apply],
  );

  /** A pending change for the user's next action. */
  const newPending = useCallback((base: Todo | null, next: Todo | null): PendingChange => {
    actions.current += 1;
    return { base, next, action: actions.current };
  }, []);

  /** Drops the pending change of `id` if it is still `entry`'s action (a newer one of the user's stays). */
  const settlePending = useCallback((id: string, entry: PendingChange) => {
    setPending((previous) => (previous.get(id)?.action === entry.action ? withPending(previous, id, null) : previous));
  }, []);

  // Changes made elsewhere (other people, other tabs), as the live stream reports them.
  const eventsListId = liveListId ?? list?.todos[0]?.list_id;
  const applyTodoEvent = useCallback(
    (event: TodoEvent) => {
      if (eventsListId === undefined) return;
      const change = todoEventChange(known.current, eventsListId, event);
      if (change === null) return;
      if (change.after === null && editing.has(change.id)) {
        const title = change.before?.title ?? list?.todos.find((todo) => todo.id === change.id)?.title ?? "This todo";
        const where = event.type === "todo.moved" ? "was moved to another list" : "was deleted";
        setActionError(problem(`“${title}” ${where} somewhere else, so your changes to it were not saved.`));
      }
      apply(change);
    },
    [eventsListId, editing, list, apply],
  );
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
    if (!isTodoEvent(event)) return;
    if (ownAdds.current > 0) heldEvents.current.push(event);
    else applyTodoEvent(event);
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
      setActionError(problemOf(error));
      noticeAccessChange(error, listLevel);
    },
    [noticeAccessChange],
  );

  /** A change to `todo` failed with 404: it was deleted elsewhere. Its row goes, and the user is told. */
  const dropGone = useCallback(
    (todo: Todo, message = `${quoted(todo)} was deleted somewhere else.`) => {
      confirmGone({ ...todo, version: Number.MAX_SAFE_INTEGER });
      setActionError(problem(message));
    },
    [confirmGone],
  );

  /** Each add is sent once the one before it has settled. */
  const addsInOrder = useRef<Turns>({ tail: null });
  /** Adds made on this page so far: their rows show in that order until the server's answers place them. */
  const addsMade = useRef(0);

  /**
   * Adds a todo: a temporary row shows at once and is replaced by the
   * server's todo. Throws on failure (the row goes) so the input can give the
   * user's text back. Adds made while earlier ones are on their way wait for
   * them: the server puts each new todo at the end, so a fast typist's todos
   * land in the order typed (a failed one does not hold back the next).
   */
  const add = useCallback(
    async (title: string, idempotencyKey: string): Promise<Todo> => {
      const now = new Date().toISOString();
      const temporary: Todo = {
        id: `${PENDING_ID_PREFIX}${idempotencyKey}`,
        list_id: eventsListId ?? "",
        created_at: now,
        updated_at: now,
        title,
        content: "",
        completed: false,
        version: 0,
        position: addingPosition((addsMade.current += 1)),
      };
      const entry = newPending(null, temporary);
      setPending((previous) => withPending(previous, temporary.id, entry));
      ownAdds.current += 1;
      try {
        const todo = await inTurn(addsInOrder.current, () => api.createTodo({ title }, { idempotencyKey, listId }));
        confirm(todo, null);
        return todo;
      } catch (error) {
        noticeAccessChange(error, true);
        throw error;
      } finally {
        settlePending(temporary.id, entry);
        ownAdds.current -= 1;
        if (ownAdds.current === 0) for (const event of heldEvents.current.splice(0)) applyTodoEvent(event);
      }
    },
    [api, listId, eventsListId, confirm, noticeAccessChange, newPending, settlePending, applyTodoEvent],
  );

  /** How a change refused with 412 reaches the server again (src/lib/todo-changes.ts, `sendRebasing`). */
  const serverCopy = useCallback(
    (id: string): RebaseIo => ({
      update: (edits, version) => api.updateTodo(id, edits, version),
      fetch: () => api.getTodo(id),
    }),
    [api],
  );

  /**
   * Sets `completed` on each todo at once and sends the changes; a refused
   * one goes back to the server's copy. `ifMatch`: with the version shown
   * (a 412 caused by a change elsewhere, a rename say, is made again on the
   * new copy: `sendRebasing`). Returns the todos that were refused.
   */
  const setCompleted = useCallback(
    async (todos: readonly Todo[], completed: boolean, ifMatch: boolean): Promise<{ todo: Todo; error: unknown }[]> => {
      const entries = todos.map((todo) => ({ todo, entry: newPending(todo, { ...todo, completed }) }));
      setPending((previous) => {
        let next = previous;
        for (const { todo, entry } of entries) next = withNewPending(next, todo.id, entry);
        return next;
      });
      const refused: { todo: Todo; error: unknown }[] = [];
      await forEachInParallel(entries, async ({ todo, entry }) => {
        try {
          confirm(
            await changes.enqueue(todo.id, todo.version, (version) =>
              ifMatch
                ? sendRebasing({ completed }, todo, version, serverCopy(todo.id))
                : api.updateTodo(todo.id, { completed }),
            ),
          );
        } catch (error) {
          if (isTodoGone(error)) confirmGone({ ...todo, version: Number.MAX_SAFE_INTEGER });
          refused.push({ todo, error });
        } finally {
          settlePending(todo.id, entry);
        }
      });
      return refused;
    },
    [api, changes, serverCopy, confirm, confirmGone, newPending, settlePending],
  );

  /** Ticks or unticks a todo at once (last write wins: it is one bit the user just chose). */
  const toggle = useCallback(
    async (todo: Todo) => {
      const [refused] = await setCompleted([todo], !todo.completed, false);
      if (!refused) return;
      if (isTodoGone(refused.error)) dropGone(todo);
      else reportError(refused.error);
    },
    [setCompleted, dropGone, reportError],
  );

  /**
   * Every todo of the list whose `completed` is `wanted`, as shown: the
   * loaded ones when they are all loaded, else asked from the server (all
   * pages; the ones fetched are learnt, so their changes count without a
   * refetch). Not those being added or waiting to be deleted.
   */
  const allWhere = useCallback(
    async (wanted: boolean, shownNow: readonly Todo[]): Promise<Todo[]> => {
      let found: Todo[];
      if (filter === "all" && list?.nextCursor === null) {
        found = [...shownNow];
      } else {
        found = [];
        let cursor: string | null = null;
        do {
          const page = await api.listTodos({ listId, filter: wanted ? "completed" : "active", cursor, limit: MAX_PAGE_SIZE });
          found.push(...settlePage(known.current, page.todos));
          cursor = page.nextCursor;
        } while (cursor);
      }
      return found.filter((todo) => todo.completed === wanted && !isPendingTodo(todo) && pending.get(todo.id)?.next !== null);
    },
    [api, listId, filter, list?.nextCursor, pending],
  );

  /** Sends the DELETEs of a deferred deletion; a refused one comes back, with a word why. */
  const commitDeletion = useCallback(
    async (batch: PendingDeletion, keepalive: boolean) => {
      const kept: { todo: Todo; error: unknown }[] = [];
      // A page being left runs no more code once it is gone: then every request must start now.
      const limit = keepalive ? batch.todos.length : PARALLEL_REQUESTS;
      await forEachInParallel(batch.todos, async (todo) => {
        const entry = batch.entries.get(todo.id);
        try {
          /** The version deleted: the one shown, or the newest this tab's own earlier changes left. */
          let deleted = todo.version;
          const send = async (version: number) => {
            deleted = version;
            await api.deleteTodo(todo.id, { expectedVersion: version, keepalive });
            return null;
          };
          // A page being left cannot wait for an earlier change's answer: send now, with the newest version known.
          await (keepalive ? send(changes.expectedVersion(todo.id, todo.version)) : changes.enqueue(todo.id, todo.version, send));
          confirmGone({ ...todo, version: deleted });
        } catch (error) {
          // Already gone (deleted elsewhere): what the user wanted.
          if (isTodoGone(error)) confirmGone({ ...todo, version: Number.MAX_SAFE_INTEGER });
          else kept.push({ todo, error });
        } finally {
          if (entry) settlePending(todo.id, entry);
        }
      }, limit);
      const [first] = kept;
      if (!first || isSessionEnd(first.error)) return;
      const they = subject(kept);
      if (first.error instanceof ConflictError) {
        setActionError(
          problem(`${they.names} ${they.was} changed somewhere else before the deletion went through, so ${they.it} ${they.was} kept.`),
        );
      } else {
        const { message, reference } = problemOf(first.error);
        setActionError({ message: `${they.names} could not be deleted. ${message}`, reference });
        noticeAccessChange(first.error);
      }
    },
    [api, changes, confirmGone, noticeAccessChange, settlePending],
  );

  /** Sends the deletion waiting for its toast now (the toast went, or another deletion replaces it). */
  const flushDeletion = useCallback(
    (keepalive = false) => {
      const batch = deferred.current;
      if (!batch) return;
      deferred.current = null;
      setDeletion((shownBatch) => (shownBatch?.id === batch.id ? null : shownBatch));
      void commitDeletion(batch, keepalive);
    },
    [commitDeletion],
  );

  /**
   * Hides `todos` at once and offers an undo; the DELETEs are sent only when
   * the toast expires or is dismissed, another deletion replaces it, or the
   * user leaves the page. Undo then simply forgets them: same id, version
   * and place.
   */
  const deferDeletion = useCallback(
    (todos: readonly Todo[], message: string) => {
      if (todos.length === 0) return;
      flushDeletion();
      const entries = new Map(todos.map((todo) => [todo.id, newPending(todo, null)]));
      deletionIds.current += 1;
      const batch: PendingDeletion = { id: deletionIds.current, todos, message, entries };
      deferred.current = batch;
      setDeletion(batch);
      setPending((previous) => {
        let next = previous;
        for (const [id, entry] of entries) next = withNewPending(next, id, entry);
        return next;
      });
    },
    [flushDeletion, newPending],
  );

  /** The toast went (expired or dismissed): send the deletion now. */
  const commitShownDeletion = useCallback(() => {
    flushDeletion();
  }, [flushDeletion]);

  /** Brings the todos of the deletion on the toast back; returns them. */
  const undoDeletion = useCallback((): readonly Todo[] => {
    const batch = deferred.current;
    if (!batch) return [];
    deferred.current = null;
    setDeletion(null);
    for (const [id, entry] of batch.entries) settlePending(id, entry);
    return batch.todos;
  }, [settlePending]);

  // Leaving the page (closing the tab, reloading, switching apps on a phone)
  // or this list: send the waiting deletion, with keepalive so it outlives the page.
  const flushOnExit = useRef(flushDeletion);
  useEffect(() => {
    flushOnExit.current = flushDeletion;
  }, [flushDeletion]);
  useEffect(() => {
    const onPageHide = () => {
      flushOnExit.current(true);
    };
    const onVisibilityChange = () => {
      if (document.visibilityState === "hidden") flushOnExit.current(true);
    };
    window.addEventListener("pagehide", onPageHide);
    document.addEventListener("visibilitychange", onVisibilityChange);
    return () => {
      window.removeEventListener("pagehide", onPageHide);
      document.removeEventListener("visibilitychange", onVisibilityChange);
      flushOnExit.current(true);
    };
  }, []);

  /**
   * Saves an edit made from `baseVersion` (`edits` are the fields that differ
   * from `todo`, the copy shown). When someone else saved first the server
   * answers 412; the edit is then made again on the current copy if they
   * changed other fields only (a tick, the notes when the title was edited),
   * else that copy is shown in the list and handed back so the editor can
   * show both versions. A 404 (deleted elsewhere) removes the row and says so.
   */
  const save = useCallback(
    async (todo: Todo, edits: TodoChanges, baseVersion: number): Promise<SaveResult> => {
      try {
        const saved = await changes.enqueue(todo.id, baseVersion, (version) =>
          sendRebasing(edits, todo, version, serverCopy(todo.id)),
        );
        confirm(saved);
        return { ok: true, todo: saved };
      } catch (error) {
        if (error instanceof RebaseConflict) {
          confirm(error.current);
          return { ok: false, conflict: error.current };
        }
        if (error instanceof ConflictError) {
          try {
            const current = await api.getTodo(todo.id);
            confirm(current);
            return { ok: false, conflict: current };
          } catch (reloadError) {
            if (isTodoGone(reloadError)) dropGone(todo);
            return { ok: false, message: problemOf(reloadError).message };
          }
        }
        if (isTodoGone(error)) dropGone(todo, `${quoted(todo)} was deleted somewhere else, so your changes to it were not saved.`);
        noticeAccessChange(error);
        return { ok: false, message: problemOf(error).message };
      }
    },
    [api, changes, serverCopy, confirm, dropGone, noticeAccessChange],
  );

  const loadedShown = useMemo(
    () => (status === "ready" && list ? showPending(list, pending, filter) : []),
    [status, list, pending, filter],
  );

  /**
   * Reorders a todo (drag and drop, Alt+arrows): it shows in its new place at
   * once, and goes back to where the server has it if the move is refused
   * (the reason shown). Like a tick, the last move wins: no If-Match, the
   * server places it relative to the todo named, wherever that is by then.
   */
  const move = useCallback(
    async (todo: Todo, place: Place) => {
      const position = positionFor(loadedShown, todo.id, place);
      const entry = position === null ? null : newPending(todo, { ...todo, position });
      if (entry) setPending((previous) => withNewPending(previous, todo.id, entry));
      try {
        confirm(await changes.enqueue(todo.id, todo.version, () => api.updateTodo(todo.id, place)));
      } catch (error) {
        if (isTodoGone(error)) dropGone(todo);
        else reportError(error);
        // 409: the todo it was placed beside has gone from the list meanwhile; show the list as it is.
        if (error instanceof ApiError && error.status === 409) setRefetches((count) => count + 1);
      } finally {
        if (entry) settlePending(todo.id, entry);
      }
    },
    [api, changes, loadedShown, confirm, dropGone, reportError, newPending, settlePending],
  );

  /** Deletes a todo, undoably. */
  const remove = useCallback(
    (todo: Todo) => {
      deferDeletion([todo], `Deleted ${quoted(todo)}.`);
    },
    [deferDeletion],
  );

  /** Deletes every completed todo, undoably: exactly the ones it hides are deleted later. */
  const clearCompleted = useCallback(async () => {
    try {
      const completed = await allWhere(true, loadedShown);
      deferDeletion(completed, `Cleared ${todosCount(completed.length)}.`);
    } catch (error) {
      reportError(error, true);
    }
  }, [allWhere, loadedShown, deferDeletion, reportError]);

  /** Marks every todo complete, or every one incomplete when all are complete already. */
  const markAll = useCallback(
    async (completed: boolean) => {
      try {
        const todos = await allWhere(!completed, loadedShown);
        const refused = await setCompleted(todos, completed, true);
        const [first] = refused;
        if (!first || isSessionEnd(first.error)) return;
        const they = subject(refused);
        const failure = refused.find(({ error }) => !(error instanceof ConflictError || isTodoGone(error)));
        if (failure) {
          const { message, reference } = problemOf(failure.error);
          setActionError({ message: `${they.names} could not be changed. ${message}`, reference });
          noticeAccessChange(failure.error);
        } else {
          setActionError(
            problem(`${they.names} ${they.was} changed or deleted somewhere else meanwhile, so ${they.it} ${they.was} left as ${they.it} ${they.is}.`),
          );
        }
      } catch (error) {
        reportError(error, true);
      }
    },
    [allWhere, loadedShown, setCompleted, reportError, noticeAccessChange],
  );

  /** Loads the next page; returns the first todo it brought (for focus), if any. */
  const loadMore = useCallback(async (): Promise<Todo | null> => {
    const cursor = list?.nextCursor;
    if (!cursor || loadingMore) return null;
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
      return loaded[0] ?? null;
    } catch (error) {
      reportError(error, true);
      return null;
    } finally {
      changedDuringLoadMore.current = null;
      setLoadingMore(false);
    }
  }, [api, listId, filter, key, list?.nextCursor, loadingMore, reportError]);

  return {
    status,
    todos: visibleTodos(loadedShown, filter, editing),
    loadError: status === "error" ? (list?.error ?? null) : null,
    hasMore: status === "ready" && Boolean(list?.nextCursor),
    loadingMore,
    /** The counts with the user's pending changes made (null until known). */
    stats: shownStats,
    actionError,
    dismissActionError: () => {
      setActionError(null);
    },
    retry: () => {
      setReloads((count) => count + 1);
    },
    /** The deletion waiting for its undo toast (null when none). */
    deletion,
    undoDeletion,
    commitDeletion: commitShownDeletion,
    /** An editor closed by another one opening could not save: say so. */
    reportUnsaved: (todo: Todo, reason: string) => {
      setActionError(problem(`Your changes to ${quoted(todo)} were not saved. ${reason}`));
    },
    setEditing,
    add,
    toggle,
    move,
    markAll,
    save,
    remove,
    clearCompleted,
    loadMore,
  };
}

/** The todos a change left alone as a sentence's subject: “Title” or “N todos”, and the words that agree with it. */
function subject(refused: readonly { todo: Todo }[]) {
  const [first] = refused;
  const one = refused.length === 1;
  return {
    names: one && first ? quoted(first.todo) : todosCount(refused.length),
    was: one ? "was" : "were",
    it: one ? "it" : "they",
    is: one ? "is" : "are",
  };
}
