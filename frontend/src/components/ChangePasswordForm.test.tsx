import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { ApiError } from "@/api/errors";

import { ChangePasswordForm } from "./ChangePasswordForm";

function renderForm(onChangePassword = vi.fn<(current: string, next: string) => Promise<void>>().mockResolvedValue()) {
  render(<ChangePasswordForm accountName="user1" onChangePassword={onChangePassword} />);
  const fields = {
    current: screen.getByLabelText("Current password"),
    next: screen.getByLabelText("New password"),
    confirm: screen.getByLabelText("Confirm new password"),
    submit: screen.getByRole("button", { name: "Change password" }),
  };
  return { onChangePassword, ...fields };
}

describe("ChangePasswordForm", () => {
  it("sends current and new password, clears the fields and confirms", async () => {
    const { onChangePassword, current, next, confirm, submit } = renderForm();
    await userEvent.type(current, "pass");
    await userEvent.type(next, "a-new-password");
    await userEvent.type(confirm, "a-new-password");
    await userEvent.click(submit);
    expect(onChangePassword).toHaveBeenCalledWith("pass", "a-new-password");
    expect(screen.getByRole("status").textContent).toBe("Password changed. Every other device has been signed out.");
    for (const field of [current, next, confirm]) expect(field).toHaveProperty("value", "");
  });

  it("checks the backend's bounds before sending, under the field at fault", async () => {
    const { onChangePassword, current, next, confirm, submit } = renderForm();
    await userEvent.type(current, "pass");
    await userEvent.type(next, "short");
    await userEvent.type(confirm, "short");
    await userEvent.click(submit);
    expect(onChangePassword).not.toHaveBeenCalled();
    expect(screen.getByRole("alert").textContent).toBe("Passwords are 8–128 characters long.");
    expect(next.getAttribute("aria-invalid")).toBe("true");
    expect(next.getAttribute("aria-describedby")).toContain(screen.getByRole("alert").id);
    expect(document.activeElement).toBe(next);
  });

  it("refuses two different new passwords", async () => {
    const { onChangePassword, current, next, confirm } = renderForm();
    await userEvent.type(current, "pass");
    await userEvent.type(next, "a-new-password");
    await userEvent.type(confirm, "a-new-passw0rd{Enter}");
    expect(onChangePassword).not.toHaveBeenCalled();
    expect(screen.getByRole("alert").textContent).toBe("The two new passwords don't match.");
    expect(confirm.getAttribute("aria-invalid")).toBe("true");
  });

  it("shows a wrong current password (403) under that field and keeps the input", async () => {
    const onChangePassword = vi.fn().mockRejectedValue(new ApiError(403, "Your current password is not correct."));
    const { current, next, confirm, submit } = renderForm(onChangePassword);
    await userEvent.type(current, "wrong");
    await userEvent.type(next, "a-new-password");
    await userEvent.type(confirm, "a-new-password");
    await userEvent.click(submit);
    expect(screen.getByRole("alert").textContent).toBe("Your current password is not correct.");
    expect(current.getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(current);
    expect(next).toHaveProperty("value", "a-new-password");
    expect(screen.queryByRole("status")).toBeNull();
    expect(submit).toHaveProperty("disabled", false);
  });

  it("shows other failures (429, network) for the whole form", async () => {
    const onChangePassword = vi.fn().mockRejectedValue(new ApiError(429, "Too many wrong passwords. Try again in 5 minutes."));
    const { current, next, confirm, submit } = renderForm(onChangePassword);
    await userEvent.type(current, "wrong");
    await userEvent.type(next, "a-new-password");
    await userEvent.type(confirm, "a-new-password");
    await userEvent.click(submit);
    expect(screen.getByRole("alert").textContent).toBe("Too many wrong passwords. Try again in 5 minutes.");
    for (const field of [current, next, confirm]) expect(field.getAttribute("aria-invalid")).toBeNull();
  });

  it("disables the button while saving", async () => {
    let finish: () => void = () => undefined;
    const onChangePassword = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const { current, next, confirm, submit } = renderForm(onChangePassword);
    await userEvent.type(current, "pass");
    await userEvent.type(next, "a-new-password");
    await userEvent.type(confirm, "a-new-password{Enter}");
    expect(screen.getByRole("button", { name: "Changing password…" })).toHaveProperty("disabled", true);
    finish();
    await screen.findByRole("status");
    expect(submit).toHaveProperty("disabled", false);
  });
});
