/**
 * Pure list operations used by the todo page, kept apart from React so they
 * can be unit-tested.
 */

interface Ordered {
  id: string;
  created_at: string;
}

/** Oldest first, like the API: by created_at, then id. */
export function compareTodos(a: Ordered, b: Ordered): number {
  const byTime = Date.parse(a.created_at) - Date.parse(b.created_at);
  if (byTime !== 0) return byTime;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Adds `incoming` todos to `current` (a later page, or one just created),
 * replacing any with the same id and keeping API order, so a todo added
 * locally and later returned by "Load more" appears once.
 */
export function mergeTodos<T extends Ordered>(current: readonly T[], incoming: readonly T[]): T[] {
  const byId = new Map<string, T>();
  for (const todo of current) byId.set(todo.id, todo);
  for (const todo of incoming) byId.set(todo.id, todo);
  return [...byId.values()].sort(compareTodos);
}

/** "1 item left", "3 items left". */
export function itemsLeftLabel(active: number): string {
  return `${active} ${active === 1 ? "item" : "items"} left`;
}
