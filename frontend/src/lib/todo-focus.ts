/**
 * Where keyboard focus goes when rows come and go. A row is focused at its
 * checkbox (the first control, named after the todo), or at the row itself
 * when the checkbox is disabled (a viewer's list).
 */

/** The row of todo `todoId` in `list` (rows carry `data-todo-id`). */
function rowOf(list: HTMLElement | null, todoId: string): HTMLElement | null {
  const rows = list ? [...list.querySelectorAll<HTMLElement>("[data-todo-id]")] : [];
  return rows.find((row) => row.dataset.todoId === todoId) ?? null;
}

/** Focuses the row of `todoId`; false when it is not on screen. */
export function focusTodoRow(list: HTMLElement | null, todoId: string): boolean {
  const row = rowOf(list, todoId);
  if (!row) return false;
  const checkbox = row.querySelector<HTMLInputElement>("input[type=checkbox]:not(:disabled)");
  (checkbox ?? row).focus();
  return true;
}

/**
 * Before row `todoId` goes: if focus is inside it, the id of the row to
 * focus next (the next one, else the previous one), or null when it was the
 * only row (focus the new-todo field). Undefined when focus is elsewhere
 * (then it stays where it is).
 */
export function rowToFocusAfterRemoving(
  list: HTMLElement | null,
  shown: readonly { id: string }[],
  todoId: string,
): string | null | undefined {
  const row = rowOf(list, todoId);
  if (!row?.contains(document.activeElement)) return undefined;
  const index = shown.findIndex((todo) => todo.id === todoId);
  if (index < 0) return null;
  return (shown[index + 1] ?? shown[index - 1])?.id ?? null;
}
