import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { Todo } from "@/api/client";
import { WATER_PLANTS } from "@/test/todos";

import { TodoEditor } from "./TodoEditor";
import type { SaveResult } from "./useTodos";

const TODO = WATER_PLANTS;

function renderEditor(onSave: (changes: object, baseVersion: number) => Promise<SaveResult>) {
  const onClose = vi.fn();
  const view = render(<TodoEditor todo={TODO} onSave={onSave} onDelete={vi.fn()} onClose={onClose} />);
  /** The list got a newer copy of the todo (a live event): the editor is given it. */
  const receive = (todo: Todo) => {
    view.rerender(<TodoEditor todo={todo} onSave={onSave} onDelete={vi.fn()} onClose={onClose} />);
  };
  return { onClose, receive };
}

describe("TodoEditor with live updates", () => {
  it("shows the conflict at once when the todo changes elsewhere, keeps the draft, and saves over the version shown", async () => {
    const onSave = vi.fn().mockResolvedValue({ ok: true, todo: { ...TODO, version: 6 } });
    const { onClose, receive } = renderEditor(onSave);
    const title = screen.getByRole("textbox", { name: "Title" });
    await userEvent.clear(title);
    await userEvent.type(title, "My draft");
    expect(screen.queryByRole("alert")).toBeNull();

    receive({ ...TODO, title: "Changed elsewhere", completed: true, version: 5 });
    const notice = screen.getByRole("alert");
    expect(notice.textContent).toContain("This todo was changed somewhere else.");
    expect(notice.textContent).toContain("Changed elsewhere");
    expect(notice.textContent).toContain("Completed");
    expect((title as HTMLInputElement).value).toBe("My draft");

    await userEvent.click(screen.getByRole("button", { name: "Save my version" }));
    expect(onSave).toHaveBeenCalledWith({ title: "My draft", content: "The ferns too" }, 5);
    expect(onClose).toHaveBeenCalled();
  });

  it("does not take this tab's own save, coming back as an event, for a conflict", async () => {
    let finish: (result: SaveResult) => void = () => undefined;
    const onSave = vi.fn(() => new Promise<SaveResult>((resolve) => (finish = resolve)));
    const { onClose, receive } = renderEditor(onSave);
    const title = screen.getByRole("textbox", { name: "Title" });
    await userEvent.clear(title);
    await userEvent.type(title, "Mine{Enter}");
    expect(onSave).toHaveBeenCalledWith({ title: "Mine" }, 4);

    receive({ ...TODO, title: "Mine", version: 5 });
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.getByRole("button", { name: "Saving…" })).toBeDefined();
    await act(async () => {
      finish({ ok: true, todo: { ...TODO, title: "Mine", version: 5 } });
      await Promise.resolve();
    });
    expect(onClose).toHaveBeenCalled();
  });

  it("shows the newest version when it changes again while the conflict is shown", () => {
    const { receive } = renderEditor(vi.fn());
    receive({ ...TODO, title: "Second", version: 5 });
    receive({ ...TODO, title: "Third", version: 6 });
    expect(screen.getByRole("alert").textContent).toContain("Third");
  });
});

describe("TodoEditor: changes elsewhere to fields it does not show", () => {
  it("a tick elsewhere is no conflict: the edit is saved with the ticked copy's version", async () => {
    const onSave = vi.fn().mockResolvedValue({ ok: true, todo: { ...TODO, version: 6 } });
    const { onClose, receive } = renderEditor(onSave);
    const title = screen.getByRole("textbox", { name: "Title" });
    await userEvent.clear(title);
    await userEvent.type(title, "My draft");
    receive({ ...TODO, completed: true, version: 5 });
    expect(screen.queryByRole("alert")).toBeNull();
    await userEvent.type(title, "{Enter}");
    expect(onSave).toHaveBeenCalledWith({ title: "My draft" }, 5);
    expect(onClose).toHaveBeenCalled();
  });
});

describe("TodoEditor when the role drops to viewer", () => {
  function renderEditable() {
    const onSave = vi.fn();
    const onClose = vi.fn();
    const view = render(<TodoEditor todo={TODO} onSave={onSave} onDelete={vi.fn()} onClose={onClose} />);
    const becomeViewer = () => {
      view.rerender(<TodoEditor todo={TODO} onSave={onSave} onDelete={vi.fn()} onClose={onClose} readOnly />);
    };
    return { onSave, onClose, becomeViewer };
  }

  it("keeps the typed title and notes, read-only and copyable, and says why they can't be saved", async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const { onSave, onClose, becomeViewer } = renderEditable();
    const title = screen.getByRole("textbox", { name: "Title" });
    const notes = screen.getByRole("textbox", { name: "Notes" });
    await userEvent.clear(title);
    await userEvent.type(title, "My draft");
    await userEvent.type(notes, " and the cactus");
    becomeViewer();

    expect(screen.getByRole("alert").textContent).toBe(
      "You can only view this list now (an owner made you a viewer), so your changes can't be saved. Your text is kept here: copy it if you need it.",
    );
    expect((title as HTMLInputElement).value).toBe("My draft");
    expect((title as HTMLInputElement).readOnly).toBe(true);
    expect((notes as HTMLTextAreaElement).value).toBe("The ferns too and the cactus");
    expect((notes as HTMLTextAreaElement).readOnly).toBe(true);
    expect(screen.queryByRole("button", { name: "Save" })).toBeNull();

    // Enter and leaving the editor save nothing now.
    await userEvent.type(title, "{Enter}");
    await userEvent.click(document.body);
    expect(onSave).not.toHaveBeenCalled();

    await userEvent.click(screen.getByRole("button", { name: "Copy my text" }));
    expect(writeText).toHaveBeenCalledWith("My draft\n\nThe ferns too and the cactus");
    expect(screen.getByRole("status").textContent).toBe("Copied.");
    await userEvent.click(screen.getByRole("button", { name: "Close" }));
    expect(onClose).toHaveBeenCalled();
  });

  it("with nothing typed, says the todo can no longer be edited", () => {
    const { becomeViewer } = renderEditable();
    becomeViewer();
    expect(screen.getByRole("alert").textContent).toBe(
      "You can only view this list now (an owner made you a viewer), so this todo can't be edited.",
    );
  });
});
