import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { Todo } from "@/api/client";
import { PENDING_ID_PREFIX } from "@/lib/live-todos";
import { makeTodo, WATER_PLANTS } from "@/test/todos";

import { TodoList } from "./TodoList";
import type { SaveResult } from "./useTodos";

const TODO = WATER_PLANTS;

/** The rows as the board shows them: TodoList owns which editor is open. */
function renderList(todos: Todo[], overrides: Partial<Parameters<typeof TodoList>[0]> = {}) {
  const props = {
    todos,
    onToggle: vi.fn().mockResolvedValue(undefined),
    onSave: vi.fn<(todo: Todo, changes: object, baseVersion: number) => Promise<SaveResult>>(),
    onDelete: vi.fn(),
    onUnsaved: vi.fn(),
    ...overrides,
  };
  render(
    <>
      <TodoList {...props} />
      <button type="button">Elsewhere</button>
    </>,
  );
  return props;
}

function renderItem(overrides: Partial<Parameters<typeof TodoList>[0]> = {}) {
  return renderList([TODO], overrides);
}

describe("TodoItem", () => {
  it("is a list item with labelled checkbox and delete button", async () => {
    const props = renderItem();
    const item = screen.getByRole("listitem");
    await userEvent.click(within(item).getByRole("checkbox", { name: "Complete Water plants" }));
    expect(props.onToggle).toHaveBeenCalledWith(TODO);
    await userEvent.click(within(item).getByRole("button", { name: "Delete Water plants" }));
    expect(props.onDelete).toHaveBeenCalledWith(TODO);
  });

  it("saves an edited title on Enter, sending the version it started from", async () => {
    const onSave = vi.fn().mockResolvedValue({ ok: true, todo: { ...TODO, title: "Water all plants", version: 5 } });
    renderItem({ onSave });
    await userEvent.click(screen.getByRole("button", { name: "Edit Water plants" }));
    const title = screen.getByRole("textbox", { name: "Title" });
    await userEvent.clear(title);
    await userEvent.type(title, "Water all plants{Enter}");
    expect(onSave).toHaveBeenCalledWith(TODO, { title: "Water all plants" }, 4);
    expect(screen.queryByRole("textbox", { name: "Title" })).toBeNull();
  });

  it("cancels on Escape without saving", async () => {
    const onSave = vi.fn();
    renderItem({ onSave });
    await userEvent.dblClick(screen.getByText("Water plants"));
    await userEvent.type(screen.getByRole("textbox", { name: "Notes" }), " and roses{Escape}");
    expect(onSave).not.toHaveBeenCalled();
    expect(screen.getByText("The ferns too")).toBeTruthy();
  });

  it("deletes the todo when its title is emptied (TodoMVC), instead of saving", async () => {
    const onSave = vi.fn();
    const props = renderItem({ onSave });
    await userEvent.click(screen.getByRole("button", { name: "Edit Water plants" }));
    await userEvent.clear(screen.getByRole("textbox", { name: "Title" }));
    await userEvent.type(screen.getByRole("textbox", { name: "Title" }), "   {Enter}");
    expect(onSave).not.toHaveBeenCalled();
    expect(props.onDelete).toHaveBeenCalledWith(TODO);
  });

  it("saves when focus leaves the editor (a click elsewhere), and keeps focus there", async () => {
    const onSave = vi.fn().mockResolvedValue({ ok: true, todo: { ...TODO, title: "Water plants!", version: 5 } });
    renderItem({ onSave });
    await userEvent.click(screen.getByRole("button", { name: "Edit Water plants" }));
    await userEvent.type(screen.getByRole("textbox", { name: "Title" }), "!");
    await userEvent.click(screen.getByRole("button", { name: "Elsewhere" }));
    expect(onSave).toHaveBeenCalledWith(TODO, { title: "Water plants!" }, 4);
    expect(screen.queryByRole("textbox", { name: "Title" })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Elsewhere" }));
  });

  it("Tab moves within the editor without saving", async () => {
    const onSave = vi.fn();
    renderItem({ onSave });
    await userEvent.click(screen.getByRole("button", { name: "Edit Water plants" }));
    await userEvent.tab();
    expect(document.activeElement).toBe(screen.getByRole("textbox", { name: "Notes" }));
    expect(onSave).not.toHaveBeenCalled();
  });

  it("opens one editor at a time: opening another saves and closes the first", async () => {
    const second = makeTodo(2, { title: "Feed the cat" });
    const onSave = vi.fn().mockResolvedValue({ ok: true, todo: { ...TODO, title: "Water plants!", version: 5 } });
    renderList([TODO, second], { onSave });
    await userEvent.click(screen.getByRole("button", { name: "Edit Water plants" }));
    await userEvent.type(screen.getByRole("textbox", { name: "Title" }), "!");
    await userEvent.click(screen.getByRole("button", { name: "Edit Feed the cat" }));
    expect(onSave).toHaveBeenCalledWith(TODO, { title: "Water plants!" }, 4);
    const editors = screen.getAllByRole("textbox", { name: "Title" });
    expect(editors).toHaveLength(1);
    expect(editors[0]).toHaveProperty("value", "Feed the cat");
  });

  it("tells the list when an editor closed by another one could not save", async () => {
    const second = makeTodo(2, { title: "Feed the cat" });
    let answer: (result: SaveResult) => void = () => undefined;
    const onSave = vi.fn(() => new Promise<SaveResult>((resolve) => (answer = resolve)));
    const props = renderList([TODO, second], { onSave });
    await userEvent.click(screen.getByRole("button", { name: "Edit Water plants" }));
    await userEvent.type(screen.getByRole("textbox", { name: "Title" }), "!");
    await userEvent.click(screen.getByRole("button", { name: "Edit Feed the cat" }));
    await act(async () => {
      answer({ ok: false, message: "Can't reach the server." });
      await Promise.resolve();
    });
    expect(props.onUnsaved).toHaveBeenCalledWith(TODO, "Can't reach the server.");
  });

  it("shows a todo still being added, but offers nothing to change on it yet", () => {
    renderItem({ todos: [{ ...TODO, id: `${PENDING_ID_PREFIX}key` }] });
    expect(screen.getByRole("checkbox", { name: "Complete Water plants" })).toHaveProperty("disabled", true);
    expect(screen.getByRole("listitem").getAttribute("aria-busy")).toBe("true");
    expect(screen.queryByRole("button", { name: "Edit Water plants" })).toBeNull();
  });

  it("on a 412 shows the saved version and keeps the draft, then overwrites on request", async () => {
    const current: Todo = { ...TODO, title: "Water plants today", content: "Changed on phone", version: 6 };
    const onSave = vi
      .fn()
      .mockResolvedValueOnce({ ok: false, conflict: current })
      .mockResolvedValueOnce({ ok: true, todo: { ...current, title: "My title", version: 7 } });
    renderItem({ onSave });
    await userEvent.click(screen.getByRole("button", { name: "Edit Water plants" }));
    const title = screen.getByRole("textbox", { name: "Title" });
    await userEvent.clear(title);
    await userEvent.type(title, "My title{Enter}");

    const notice = screen.getByRole("alert");
    expect(notice.textContent).toContain("changed somewhere else");
    expect(within(notice).getByText("Water plants today")).toBeTruthy();
    expect(within(notice).getByText("Changed on phone")).toBeTruthy();
    expect(screen.getByRole("textbox", { name: "Title" })).toHaveProperty("value", "My title");

    await userEvent.click(screen.getByRole("button", { name: "Save my version" }));
    expect(onSave).toHaveBeenLastCalledWith(TODO, { title: "My title", content: "The ferns too" }, 6);
    expect(screen.queryByRole("textbox", { name: "Title" })).toBeNull();
  });

  it("for a viewer: the checkbox shows the state but is disabled, and there is no Edit or Delete", async () => {
    const props = renderItem({ readOnly: true, readOnlyNoteId: "viewer-note" });
    const checkbox = screen.getByRole("checkbox", { name: "Complete Water plants" });
    expect(checkbox).toHaveProperty("disabled", true);
    expect(checkbox.getAttribute("aria-describedby")).toBe("viewer-note");
    expect(screen.queryByRole("button", { name: "Edit Water plants" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Delete Water plants" })).toBeNull();
    await userEvent.dblClick(screen.getByText("Water plants"));
    expect(screen.queryByRole("textbox", { name: "Title" })).toBeNull();
    expect(props.onToggle).not.toHaveBeenCalled();
  });

  it("keeps the draft and shows the message when saving fails", async () => {
    const onSave = vi.fn().mockResolvedValue({ ok: false, message: "Can't reach the server." });
    renderItem({ onSave });
    await userEvent.click(screen.getByRole("button", { name: "Edit Water plants" }));
    await userEvent.type(screen.getByRole("textbox", { name: "Title" }), "!{Enter}");
    expect(screen.getByRole("alert").textContent).toBe("Can't reach the server.");
    expect(screen.getByRole("textbox", { name: "Title" })).toHaveProperty("value", "Water plants!");
  });
});
