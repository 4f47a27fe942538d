import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { Todo } from "@/api/client";
import type { Place } from "@/lib/todo-list";
import { makeTodo } from "@/test/todos";

import { TodoList } from "./TodoList";

const TODOS = [makeTodo(1), makeTodo(2), makeTodo(3)];

function renderList(overrides: Partial<Parameters<typeof TodoList>[0]> = {}) {
  const onMove = vi.fn<(todo: Todo, place: Place) => Promise<void>>().mockResolvedValue(undefined);
  render(
    <TodoList
      todos={TODOS}
      onToggle={vi.fn()}
      onSave={vi.fn()}
      onDelete={vi.fn()}
      onMove={onMove}
      {...overrides}
    />,
  );
  return onMove;
}

function row(title: string): HTMLElement {
  const item = screen.getByText(title).closest("li");
  if (!item) throw new Error(`no row for ${title}`);
  return item;
}

describe("TodoList reordering", () => {
  it("Alt+ArrowDown on a focused row moves it after the next one, and says where it went", async () => {
    const onMove = renderList();
    const user = userEvent.setup();
    await user.click(screen.getByRole("checkbox", { name: "Complete Todo 1" }));
    await user.keyboard("{Alt>}{ArrowDown}{/Alt}");
    expect(onMove).toHaveBeenCalledWith(TODOS[0], { after: TODOS[1]?.id });
    expect(screen.getByRole("status").textContent).toBe("Moved to position 2 of 3");
  });

  it("Alt+ArrowUp moves a row before the previous one; the ends do nothing", () => {
    const onMove = renderList();
    fireEvent.keyDown(row("Todo 3"), { key: "ArrowUp", altKey: true });
    expect(onMove).toHaveBeenLastCalledWith(TODOS[2], { before: TODOS[1]?.id });
    expect(screen.getByRole("status").textContent).toBe("Moved to position 2 of 3");
    fireEvent.keyDown(row("Todo 1"), { key: "ArrowUp", altKey: true });
    fireEvent.keyDown(row("Todo 3"), { key: "ArrowDown", altKey: true });
    fireEvent.keyDown(row("Todo 2"), { key: "ArrowDown" }); // without Alt: not a move
    expect(onMove).toHaveBeenCalledTimes(1);
  });

  it("a row dropped on another goes after it when dragged down, before it when dragged up", () => {
    const onMove = renderList();
    fireEvent.dragStart(row("Todo 1"), { dataTransfer: { setData: vi.fn(), effectAllowed: "" } });
    fireEvent.dragOver(row("Todo 3"));
    fireEvent.drop(row("Todo 3"));
    expect(onMove).toHaveBeenLastCalledWith(TODOS[0], { after: TODOS[2]?.id });
    fireEvent.dragStart(row("Todo 3"), { dataTransfer: { setData: vi.fn(), effectAllowed: "" } });
    fireEvent.drop(row("Todo 1"));
    expect(onMove).toHaveBeenLastCalledWith(TODOS[2], { before: TODOS[0]?.id });
  });

  it("a viewer's rows do not move", () => {
    const onMove = renderList({ readOnly: true });
    expect(row("Todo 1").getAttribute("draggable")).toBeNull();
    fireEvent.keyDown(row("Todo 1"), { key: "ArrowDown", altKey: true });
    expect(onMove).not.toHaveBeenCalled();
    expect(screen.queryByRole("status")).toBeNull();
  });
});
