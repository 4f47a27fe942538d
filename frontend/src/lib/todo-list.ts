/**
 * Pure list operations used by the todo page, kept apart from React so they
 * can be unit-tested.
 */
import { generateKeyBetween } from "fractional-indexing";

interface Ordered {
  id: string;
  position: string;
}

/**
 * The list's manual order, like the API: by `position`, then id. Positions
 * are ASCII, so comparing strings code unit by code unit is the server's
 * bytewise order.
 */
export function compareTodos(a: Ordered, b: Ordered): number {
  if (a.position !== b.position) return a.position < b.position ? -1 : 1;
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

/** Sorts after every key the server makes (they are base-62 digits): a row being added shows last. */
export const LAST_POSITION = "~";

/**
 * The position of the `sequence`-th row added on this page while it is being
 * saved: after every server key, and after the rows added before it, as the
 * server will place them (each new todo at the end).
 */
export function addingPosition(sequence: number): string {
  return `${LAST_POSITION}${sequence.toString().padStart(12, "0")}`;
}

/** Where a reorder puts a todo, as the API takes it: just after a todo (null: first), or just before one (null: last). */
export type Place = { after: string | null } | { before: string | null };

/**
 * The position `place` gives todo `id` among `todos` (sorted, as loaded), for
 * showing the move before the server answers; null when it cannot be told
 * (an anchor not loaded, or two todos sharing a key): the server's answer
 * places it then.
 */
export function positionFor(todos: readonly Ordered[], id: string, place: Place): string | null {
  const others = todos.filter((todo) => todo.id !== id);
  let index: number;
  if ("after" in place) {
    index = place.after === null ? 0 : others.findIndex((todo) => todo.id === place.after) + 1;
    if (index === 0 && place.after !== null) return null;
  } else {
    index = place.before === null ? others.length : others.findIndex((todo) => todo.id === place.before);
    if (index === -1) return null;
  }
  const lower = others[index - 1]?.position ?? null;
  const upper = others[index]?.position ?? null;
  if (lower !== null && upper !== null && lower >= upper) return null;
  try {
    return generateKeyBetween(lower, upper?.startsWith(LAST_POSITION) ? null : upper);
  } catch {
    return null; // not a key the algorithm knows: wait for the server
  }
}

/** "Moved to position 3 of 7": what a screen reader hears after a keyboard move. */
export function movedLabel(index: number, count: number): string {
  return `Moved to position ${index + 1} of ${count}`;
}

/** "1 item left", "3 items left". */
export function itemsLeftLabel(active: number): string {
  return `${active} ${active === 1 ? "item" : "items"} left`;
}
