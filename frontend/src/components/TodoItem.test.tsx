import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { Todo } from "@/api/client";
import { WATER_PLANTS } from "@/test/todos";

import { TodoItem } from "./TodoItem";
import type { SaveResult } from "./useTodos";

const TODO = WATER_PLANTS;

function renderItem(overrides: Partial<Parameters<typeof TodoItem>[0]> = {}) {
  const props = {
    todo: TODO,
    onToggle: vi.fn().mockResolvedValue(undefined),
    onSave: vi.fn<(todo: Todo, changes: object, baseVersion: number) => Promise<SaveResult>>(),
    onDelete: vi.fn().mockResolvedValue(undefined),
    ...overrides,
  };
  render(
    <ul>
      <TodoItem {...props} />
    </ul>,
  );
  return props;
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

  it("refuses to save an empty title", async () => {
    const onSave = vi.fn();
    renderItem({ onSave });
    await userEvent.click(screen.getByRole("button", { name: "Edit Water plants" }));
    await userEvent.clear(screen.getByRole("textbox", { name: "Title" }));
    await userEvent.keyboard("{Enter}");
    expect(onSave).not.toHaveBeenCalled();
    expect(screen.getByRole("alert").textContent).toBe("A todo needs a title.");
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
