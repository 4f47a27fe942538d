import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { ToggleAllButton } from "./ToggleAllButton";

describe("ToggleAllButton", () => {
  it("a second press while the first is being saved counts: complete, then incomplete", async () => {
    const onMarkAll = vi.fn(() => new Promise<void>(() => undefined));
    const view = render(<ToggleAllButton allCompleted={false} onMarkAll={onMarkAll} />);
    await userEvent.click(screen.getByRole("button", { name: "Mark all complete" }));
    // The rows show the change at once, so the label turns before the server answers.
    view.rerender(<ToggleAllButton allCompleted onMarkAll={onMarkAll} />);
    const button = screen.getByRole("button", { name: "Mark all incomplete" });
    expect(button.getAttribute("aria-busy")).toBe("true");
    await userEvent.click(button);
    expect(onMarkAll.mock.calls).toEqual([[true], [false]]);
  });

  it("is busy until every press is saved", async () => {
    const answers: (() => void)[] = [];
    const onMarkAll = vi.fn(() => new Promise<void>((resolve) => answers.push(resolve)));
    render(<ToggleAllButton allCompleted={false} onMarkAll={onMarkAll} />);
    const button = screen.getByRole("button", { name: "Mark all complete" });
    await userEvent.click(button);
    await userEvent.click(button);
    answers[0]?.();
    await vi.waitFor(() => {
      expect(onMarkAll).toHaveBeenCalledTimes(2);
    });
    expect(button.getAttribute("aria-busy")).toBe("true");
    answers[1]?.();
    await vi.waitFor(() => {
      expect(button.getAttribute("aria-busy")).toBeNull();
    });
  });
});
