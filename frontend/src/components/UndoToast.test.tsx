import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { makeTodo } from "@/test/todos";

import { UNDO_MS, UndoToast } from "./UndoToast";
import type { PendingDeletion } from "./useTodos";

const deletion = (id: number, message: string): PendingDeletion => ({
  id,
  todos: [makeTodo(id)],
  message,
  entries: new Map(),
});

describe("UndoToast", () => {
  beforeEach(() => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("is always a polite live region; a deletion's message and Undo appear in it", async () => {
    const onUndo = vi.fn();
    const view = render(<UndoToast deletion={null} onUndo={onUndo} onGone={vi.fn()} />);
    const region = screen.getByRole("status");
    expect(region.textContent).toBe("");
    view.rerender(<UndoToast deletion={deletion(1, "Deleted “Todo 1”.")} onUndo={onUndo} onGone={vi.fn()} />);
    expect(region.textContent).toContain("Deleted “Todo 1”.");
    await userEvent.click(screen.getByRole("button", { name: "Undo" }));
    expect(onUndo).toHaveBeenCalledTimes(1);
  });

  it("goes after five seconds, or at once when dismissed", async () => {
    const onGone = vi.fn();
    const view = render(<UndoToast deletion={deletion(1, "Deleted")} onUndo={vi.fn()} onGone={onGone} />);
    act(() => {
      vi.advanceTimersByTime(UNDO_MS - 100);
    });
    expect(onGone).not.toHaveBeenCalled();
    act(() => {
      vi.advanceTimersByTime(200);
    });
    expect(onGone).toHaveBeenCalledTimes(1);

    view.rerender(<UndoToast deletion={deletion(2, "Deleted again")} onUndo={vi.fn()} onGone={onGone} />);
    await userEvent.click(screen.getByRole("button", { name: "Dismiss" }));
    expect(onGone).toHaveBeenCalledTimes(2);
  });

  it("stops the time while focus is in it, so the undo is not lost while reaching for it", () => {
    const onGone = vi.fn();
    render(<UndoToast deletion={deletion(1, "Deleted")} onUndo={vi.fn()} onGone={onGone} />);
    act(() => {
      vi.advanceTimersByTime(UNDO_MS - 1000);
      screen.getByRole("button", { name: "Undo" }).focus();
    });
    act(() => {
      vi.advanceTimersByTime(UNDO_MS * 2);
    });
    expect(onGone).not.toHaveBeenCalled();
    act(() => {
      screen.getByRole("button", { name: "Undo" }).blur();
    });
    act(() => {
      vi.advanceTimersByTime(1100);
    });
    expect(onGone).toHaveBeenCalledTimes(1);
  });
});
