/**
 * Changes to one list's todos, from live events or from the server's answers
 * to this tab's own requests, as pure functions (unit-tested). `useTodos`
 * holds the state and calls them.
 *
 * The stream may deliver an event twice (after a reconnect, say), and this
 * tab's own changes come back as events too, before or after the answer to
 * its request. So every copy of a todo is weighed by its `version` (which
 * the server raises by one per change): a copy no newer than the one known
 * is no news and changes nothing. That is what makes applying an event
 * idempotent.
 */
import type { Todo, TodoStats } from "@/api/client";
import type { TodoEvent } from "@/api/live-events";

import { type Filter, matchesFilter } from "./filter";
import { compareTodos, mergeTodos } from "./todo-list";

/**
 * What this tab knows of one todo of the list: its newest copy, or
 * `todo: null` when it left the list (deleted, or moved away) at `version`.
 */
export interface KnownTodo {
  version: number;
  todo: Todo | null;
}

/** By todo id, for the list on screen, since it was last loaded. */
export type KnownTodos = Map<string, KnownTodo>;

/** One todo's change, as the list sees it. */
export interface TodoChange {
  id: string;
  /** How the list had it: a todo, null when it was not in the list, undefined when this tab never saw it. */
  before: Todo | null | undefined;
  /** How the list has it now; null when it left the list. */
  after: Todo | null;
}

/**
 * Takes in a server copy of a todo that is in the list. Returns the change,
 * or null when it is no news (a repeat, or older than what is known).
 * `ifUnseen` is what `before` is for a todo never seen: null when it is new
 * to the list (created, moved in), undefined when we just cannot tell.
 */
export function learnTodo(known: KnownTodos, todo: Todo, ifUnseen?: null): TodoChange | null {
  const entry = known.get(todo.id);
  if (entry && entry.version >= todo.version) return null;
  known.set(todo.id, { version: todo.version, todo });
  return { id: todo.id, before: entry ? entry.todo : ifUnseen, after: todo };
}

/** Takes in that a todo left the list (deleted, moved away) at `version`. Null when that is no news. */
export function learnGone(known: KnownTodos, id: string, version: number): TodoChange | null {
  const entry = known.get(id);
  // Already gone at this version or later, or a copy newer than the departure is known.
  if (entry && (entry.todo === null ? entry.version >= version : entry.version > version)) return null;
  known.set(id, { version, todo: null });
  return { id, before: entry ? entry.todo : undefined, after: null };
}

/**
 * What a todo event means for the list `listId`: a change, or null when it
 * is about another list or is no news. Updates `known`.
 */
export function todoEventChange(known: KnownTodos, listId: string, event: TodoEvent): TodoChange | null {
  switch (event.type) {
    case "todo.created":
      return event.list_id === listId ? learnTodo(known, event.todo, null) : null;
    case "todo.updated":
      return event.list_id === listId ? learnTodo(known, event.todo) : null;
    case "todo.moved":
      if (event.list_id === listId) return learnTodo(known, event.todo, null);
      if (event.from_list_id === listId) return learnGone(known, event.todo.id, event.todo.version);
      return null;
    case "todo.deleted":
      return event.list_id === listId ? learnGone(known, event.todo_id, event.version) : null;
  }
}

const NOTHING: TodoStats = { total: 0, active: 0, completed: 0 };

function countsOf(todo: Todo | null): TodoStats {
  if (todo === null) return NOTHING;
  return { total: 1, active: todo.completed ? 0 : 1, completed: todo.completed ? 1 : 0 };
}

/**
 * How a change moves the list's counts, or null when that cannot be told
 * (the todo's earlier state is unknown: ask the server for the counts).
 */
export function countsDelta(change: TodoChange): TodoStats | null {
  if (change.before === undefined) return null;
  const before = countsOf(change.before);
  const after = countsOf(change.after);
  return {
    total: after.total - before.total,
    active: after.active - before.active,
    completed: after.completed - before.completed,
  };
}

export function addCounts(stats: TodoStats, delta: TodoStats): TodoStats {
  return {
    total: Math.max(0, stats.total + delta.total),
    active: Math.max(0, stats.active + delta.active),
    completed: Math.max(0, stats.completed + delta.completed),
  };
}

/** The todos loaded so far (every page, oldest first) and the cursor of the next page. */
export interface LoadedTodos {
  todos: readonly Todo[];
  nextCursor: string | null;
}

/**
 * The loaded todos with todo `id` as it is now (`current`; null when it left
 * the list): replaced in place, removed, or added where it belongs. A todo
 * not loaded yet is added only if the filter shows it and the loaded pages
 * reach its place: anywhere once the last page is in, otherwise only before
 * the last loaded todo. (New todos go at the end of a list's order, so a list
 * with more pages to load gets one with "Load more".) A todo reordered
 * (a new `position`) moves to its new place the same way.
 */
export function placeTodo(loaded: LoadedTodos, id: string, current: Todo | null, filter: Filter): Todo[] {
  const { todos, nextCursor } = loaded;
  const shown = todos.some((todo) => todo.id === id);
  if (current === null) return shown ? todos.filter((todo) => todo.id !== id) : [...todos];
  if (shown) {
    const moved = todos.some((todo) => todo.id === id && todo.position !== current.position);
    if (!moved) return todos.map((todo) => (todo.id === id ? current : todo));
    // Reordered: out of its old place, and into its new one if the loaded pages reach it.
    return placeTodo({ todos: todos.filter((todo) => todo.id !== id), nextCursor }, id, current, filter);
  }
  if (!matchesFilter(current, filter)) return [...todos];
  const last = todos.at(-1);
  const reached = nextCursor === null || (last !== undefined && compareTodos(current, last) < 0);
  return reached ? mergeTodos(todos, [current]) : [...todos];
}

/**
 * A page just loaded, set against what is known: each todo is learnt, and
 * where events brought a newer copy while the page was on its way, that copy
 * is shown instead (or none, if the todo left the list meanwhile).
 */
export function settlePage(known: KnownTodos, page: readonly Todo[]): Todo[] {
  for (const todo of page) learnTodo(known, todo);
  return page.flatMap((todo) => {
    const newest = known.get(todo.id)?.todo;
    return newest ? [newest] : [];
  });
}

/** The todos the filter shows, plus those being edited (an editor must not vanish under its user). */
export function visibleTodos(todos: readonly Todo[], filter: Filter, editing: ReadonlySet<string>): Todo[] {
  return todos.filter((todo) => matchesFilter(todo, filter) || editing.has(todo.id));
}

/**
 * A change this tab shows before the server has confirmed it: a tick (or a
 * "mark all") on its way, a todo being added (a temporary row), a deletion
 * waiting for its undo toast to go. `base` is the server's copy it started
 * from (null for a todo being added), `next` what the list shows meanwhile
 * (null: hidden).
 */
export interface PendingChange {
  base: Todo | null;
  next: Todo | null;
  /** Which of the user's actions this is (kept when rebased), so its answer settles only it. */
  action: number;
}

/** By todo id (a temporary id for a todo being added). */
export type PendingChanges = ReadonlyMap<string, PendingChange>;

/** The id of the temporary row shown while a todo is being added. */
export const PENDING_ID_PREFIX = "pending:";

export function isPendingTodo(todo: Pick<Todo, "id">): boolean {
  return todo.id.startsWith(PENDING_ID_PREFIX);
}

/** `pending` with `id` set to `change`, or removed (`change` null). */
export function withPending(pending: PendingChanges, id: string, change: PendingChange | null): PendingChanges {
  const next = new Map(pending);
  if (change) next.set(id, change);
  else next.delete(id);
  return next;
}

/**
 * `pending` with the user's new change to `id` made on top of the one
 * already pending, if any (a second tick, "Mark all incomplete" right after
 * "Mark all complete"). The new change is made on the copy shown, but keeps
 * the earlier one's `base`, the server's copy: the counts are the server's
 * plus each pending change measured from it, so measured from the copy shown
 * the first change would be counted twice (6 items left of 3).
 */
export function withNewPending(pending: PendingChanges, id: string, change: PendingChange): PendingChanges {
  const earlier = pending.get(id);
  return withPending(pending, id, earlier ? { ...change, base: earlier.base } : change);
}

/** The loaded todos as the user should see them: the pending changes applied. */
export function showPending(loaded: LoadedTodos, pending: PendingChanges, filter: Filter): Todo[] {
  let todos = [...loaded.todos];
  for (const [id, { next }] of pending) todos = placeTodo({ todos, nextCursor: loaded.nextCursor }, id, next, filter);
  return todos;
}

/** The server's counts with the pending changes made. */
export function countsWithPending(stats: TodoStats, pending: PendingChanges): TodoStats {
  let counts = stats;
  for (const { base, next } of pending.values()) {
    const delta = countsDelta({ id: "", before: base, after: next });
    if (delta) counts = addCounts(counts, delta);
  }
  return counts;
}

/**
 * `pending` after the server confirmed a change to todo `change.id` (our own
 * answer, or an event): a pending change is now measured from the new copy;
 * once the todo has left the list there is nothing left to show or do.
 * A pending tick keeps its tick on top of the new copy, a pending reorder its place.
 */
export function rebasePending(pending: PendingChanges, change: TodoChange): PendingChanges {
  const entry = pending.get(change.id);
  if (!entry) return pending;
  if (change.after === null) return withPending(pending, change.id, null);
  // A pending reorder keeps its place on top of the new copy too.
  const reordering = entry.next !== null && entry.base !== null && entry.next.position !== entry.base.position;
  const next = entry.next && {
    ...change.after,
    completed: entry.next.completed,
    position: reordering ? entry.next.position : change.after.position,
  };
  return withPending(pending, change.id, { ...entry, base: change.after, next });
}
