import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { NewListForm } from "./NewListForm";

describe("NewListForm", () => {
  it("creates a list with the trimmed name and clears the field", async () => {
    const onCreate = vi.fn().mockResolvedValue(undefined);
    render(<NewListForm onCreate={onCreate} />);
    const input = screen.getByRole("textbox", { name: "New list name" });
    await userEvent.type(input, "  Groceries {Enter}");
    expect(onCreate).toHaveBeenCalledWith("Groceries");
    expect(input).toHaveProperty("value", "");
  });

  it("refuses an empty name before asking the server", async () => {
    const onCreate = vi.fn();
    render(<NewListForm onCreate={onCreate} />);
    await userEvent.click(screen.getByRole("button", { name: "Create list" }));
    expect(onCreate).not.toHaveBeenCalled();
    expect(screen.getByRole("alert").textContent).toBe("A list needs a name.");
  });

  it("keeps the name and shows the server's reason when creating fails", async () => {
    const onCreate = vi.fn().mockRejectedValue(new Error("An account may own at most 100 lists; delete one first"));
    render(<NewListForm onCreate={onCreate} />);
    const input = screen.getByRole("textbox", { name: "New list name" });
    await userEvent.type(input, "One more{Enter}");
    expect(screen.getByRole("alert").textContent).toBe("An account may own at most 100 lists; delete one first");
    expect(input).toHaveProperty("value", "One more");
    expect(input.getAttribute("aria-invalid")).toBe("true");
  });
});
