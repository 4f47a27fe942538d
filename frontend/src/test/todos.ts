/**
 * Todos and their live events for tests, built one way. `makeTodo(n)` is the
 * n-th todo of list "L" (created on the n-th of January 2024, in n-th place: the order is n's);
 * the events are what `GET /events` sends about a todo.
 */
import type { Todo } from "@/api/client";
import type { TodoEvent } from "@/api/live-events";

export function makeTodo(n: number, overrides: Partial<Todo> = {}): Todo {
  return {
    id: `id-${String(n).padStart(2, "0")}`,
    list_id: "L",
    created_at: new Date(Date.UTC(2024, 0, n)).toISOString(),
    updated_at: new Date(Date.UTC(2024, 0, n)).toISOString(),
    title: `Todo ${n}`,
    content: "",
    completed: false,
    version: 1,
    position: `b${String(n).padStart(2, "0")}`,
    ...overrides,
  };
}

/** One todo, for the tests of a single item or editor. */
export const WATER_PLANTS: Todo = {
  id: "1",
  list_id: "list-1",
  created_at: "2024-01-01T00:00:00Z",
  updated_at: "2024-01-01T00:00:00Z",
  title: "Water plants",
  content: "The ferns too",
  completed: false,
  version: 4,
  position: "a0",
};

export const todoCreated = (t: Todo, listId = t.list_id): TodoEvent => ({ type: "todo.created", list_id: listId, todo: t });
export const todoUpdated = (t: Todo, listId = t.list_id): TodoEvent => ({ type: "todo.updated", list_id: listId, todo: t });
export const todoDeleted = (t: Todo, listId = t.list_id): TodoEvent => ({
  type: "todo.deleted",
  list_id: listId,
  todo_id: t.id,
  version: t.version,
});
export const todoMoved = (t: Todo, from: string, to: string): TodoEvent => ({
  type: "todo.moved",
  list_id: to,
  from_list_id: from,
  todo: { ...t, list_id: to },
});
