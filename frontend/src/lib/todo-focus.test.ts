import { afterEach, describe, expect, it } from "vitest";

import { focusTodoRow, rowToFocusAfterRemoving } from "./todo-focus";

/** Three rows like TodoItem's: a checkbox (disabled in a viewer's list) and a Delete button. */
function list(disabled = false): HTMLUListElement {
  const ul = document.createElement("ul");
  for (const id of ["a", "b", "c"]) {
    const li = document.createElement("li");
    li.dataset.todoId = id;
    li.tabIndex = -1;
    li.innerHTML = `<input type="checkbox" aria-label="Complete ${id}" ${disabled ? "disabled" : ""}><button>Delete ${id}</button>`;
    ul.append(li);
  }
  document.body.append(ul);
  return ul;
}
const shown = [{ id: "a" }, { id: "b" }, { id: "c" }];
const focusIn = (ul: HTMLElement, id: string) => {
  ul.querySelector<HTMLButtonElement>(`[data-todo-id="${id}"] button`)?.focus();
};

afterEach(() => {
  document.body.innerHTML = "";
});

describe("focus when rows go", () => {
  it("moves to the next row, else the previous one, else the new-todo field (null)", () => {
    const ul = list();
    focusIn(ul, "b");
    expect(rowToFocusAfterRemoving(ul, shown, "b")).toBe("c");
    focusIn(ul, "c");
    expect(rowToFocusAfterRemoving(ul, shown, "c")).toBe("b");
    focusIn(ul, "a");
    expect(rowToFocusAfterRemoving(ul, [{ id: "a" }], "a")).toBeNull();
  });

  it("leaves focus alone when it was not in the row", () => {
    const ul = list();
    focusIn(ul, "a");
    expect(rowToFocusAfterRemoving(ul, shown, "b")).toBeUndefined();
  });

  it("focuses a row at its checkbox, or the row itself when the checkbox is disabled", () => {
    const ul = list();
    expect(focusTodoRow(ul, "b")).toBe(true);
    expect(document.activeElement?.getAttribute("aria-label")).toBe("Complete b");
    expect(focusTodoRow(ul, "gone")).toBe(false);
    document.body.innerHTML = "";
    const readOnly = list(true);
    focusTodoRow(readOnly, "c");
    expect(document.activeElement).toBe(readOnly.querySelector('[data-todo-id="c"]'));
  });
});
