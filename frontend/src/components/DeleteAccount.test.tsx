import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { ApiError } from "@/api/errors";

import { DeleteAccount } from "./DeleteAccount";

function renderDelete(onDelete = vi.fn<(password: string) => Promise<void>>().mockResolvedValue(), todoCount: number | null = 3) {
  render(<DeleteAccount accountName="user1" todoCount={todoCount} onDelete={onDelete} />);
  return {
    onDelete,
    password: screen.getByLabelText("Password"),
    name: screen.getByLabelText("Type user1 to confirm"),
    button: screen.getByRole("button", { name: "Delete account and todos" }),
  };
}

describe("DeleteAccount", () => {
  it("says plainly that the todos go too, and what happens to lists it owns", () => {
    renderDelete();
    expect(screen.getByText(/permanently deletes the account/).textContent.replace(/\s+/g, " ")).toBe(
      "This permanently deletes the account user1 and its personal list with all 3 of its todos. " +
        "A shared list it owns alone passes to its longest-standing editor, or is deleted with its todos if it has none. " +
        "It cannot be undone, and every device is signed out.",
    );
  });

  it.each([
    [0, "its personal list (empty right now)."],
    [1, "its personal list with its 1 todo."],
    [2, "its personal list with both of its todos."],
    [null, "its personal list with all of its todos."],
  ])("words a count of %s", (count, phrase) => {
    render(<DeleteAccount accountName="a" todoCount={count} onDelete={vi.fn()} />);
    expect(screen.getByText(/permanently deletes/).textContent).toContain(phrase);
  });

  it("stays disabled until the password is given and the name typed exactly", async () => {
    const { onDelete, password, name, button } = renderDelete();
    expect(button).toHaveProperty("disabled", true);
    await userEvent.type(name, "user1");
    expect(button).toHaveProperty("disabled", true);
    await userEvent.type(password, "pass");
    expect(button).toHaveProperty("disabled", false);
    await userEvent.type(name, "x");
    expect(button).toHaveProperty("disabled", true);
    await userEvent.type(password, "{Enter}");
    expect(onDelete).not.toHaveBeenCalled();
  });

  it("deletes with the password", async () => {
    const { onDelete, password, name, button } = renderDelete();
    await userEvent.type(password, "pass");
    await userEvent.type(name, "user1");
    await userEvent.click(button);
    expect(onDelete).toHaveBeenCalledWith("pass");
    // The page is about to leave: everything stays disabled meanwhile.
    expect(screen.getByRole("button", { name: "Deleting account…" })).toHaveProperty("disabled", true);
    expect(password).toHaveProperty("disabled", true);
  });

  it("shows a wrong password (403) under the password field and lets the user retry", async () => {
    const onDelete = vi.fn().mockRejectedValueOnce(new ApiError(403, "The password is not correct.")).mockResolvedValue(undefined);
    const { password, name, button } = renderDelete(onDelete);
    await userEvent.type(password, "wrong");
    await userEvent.type(name, "user1");
    await userEvent.click(button);
    // The rejection is handled after the click's event: its render, and then the effect
    // that moves the focus, come in React's own later tasks. Wait for each.
    expect((await screen.findByRole("alert")).textContent).toBe("The password is not correct.");
    expect(password.getAttribute("aria-invalid")).toBe("true");
    await waitFor(() => {
      expect(document.activeElement).toBe(password);
    });
    await userEvent.clear(password);
    await userEvent.type(password, "pass{Enter}");
    expect(onDelete).toHaveBeenLastCalledWith("pass");
  });

  it("shows a throttle (429) for the whole form", async () => {
    const onDelete = vi.fn().mockRejectedValue(new ApiError(429, "Too many wrong passwords. Try again in 5 minutes."));
    const { password, name, button } = renderDelete(onDelete);
    await userEvent.type(password, "wrong");
    await userEvent.type(name, "user1");
    await userEvent.click(button);
    expect((await screen.findByRole("alert")).textContent).toBe("Too many wrong passwords. Try again in 5 minutes.");
    expect(password.getAttribute("aria-invalid")).toBeNull();
    expect(button).toHaveProperty("disabled", false);
  });
});
