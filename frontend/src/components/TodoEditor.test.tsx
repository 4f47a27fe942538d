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
