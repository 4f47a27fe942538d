import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";

import { Dialog } from "./Dialog";

/** A page with a button that opens a dialog, the way the app uses it. */
function Page({ onClose }: { onClose?: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        onClick={() => {
          setOpen(true);
        }}
      >
        Open
      </button>
      {open ? (
        <Dialog
          title="Rename list"
          description="Pick a new name."
          onClose={() => {
            onClose?.();
            setOpen(false);
          }}
        >
          <button type="button">First button</button>
          <input aria-label="List name" />
        </Dialog>
      ) : null}
    </>
  );
}

describe("Dialog", () => {
  it("is a dialog named by its title and described by its text", async () => {
    render(<Page />);
    await userEvent.click(screen.getByRole("button", { name: "Open" }));
    const dialog = screen.getByRole("dialog", { name: "Rename list" });
    expect(dialog.hasAttribute("open")).toBe(true);
    expect(dialog.getAttribute("aria-describedby")).toBe(screen.getByText("Pick a new name.").id);
  });

  it("moves focus to the first field, not to a button before it", async () => {
    render(<Page />);
    await userEvent.click(screen.getByRole("button", { name: "Open" }));
    expect(document.activeElement).toBe(screen.getByRole("textbox", { name: "List name" }));
  });

  it("closes on Escape and gives focus back to the button that opened it", async () => {
    const onClose = vi.fn();
    render(<Page onClose={onClose} />);
    const opener = screen.getByRole("button", { name: "Open" });
    await userEvent.click(opener);
    await userEvent.keyboard("{Escape}");
    expect(onClose).toHaveBeenCalled();
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it("closes with its Close button", async () => {
    render(<Page />);
    await userEvent.click(screen.getByRole("button", { name: "Open" }));
    await userEvent.click(screen.getByRole("button", { name: "Close" }));
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("prefers the control marked data-autofocus", () => {
    render(
      <Dialog title="Delete?" onClose={() => undefined}>
        <button type="button">Delete list</button>
        <button type="button" data-autofocus="">
          Cancel
        </button>
      </Dialog>,
    );
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Cancel" }));
  });
});
