import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { ApiError } from "@/api/errors";

import { SignOutEverywhere } from "./SignOutEverywhere";

describe("SignOutEverywhere", () => {
  it("explains what happens, then signs out, staying busy until the page leaves", async () => {
    const onSignOutEverywhere = vi.fn().mockResolvedValue(undefined);
    render(<SignOutEverywhere onSignOutEverywhere={onSignOutEverywhere} />);
    expect(screen.getByText(/including this one/)).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Sign out everywhere" }));
    expect(onSignOutEverywhere).toHaveBeenCalledTimes(1);
    expect(screen.getByRole("button", { name: "Signing out…" })).toHaveProperty("disabled", true);
  });

  it("shows a failure and can be tried again", async () => {
    const onSignOutEverywhere = vi
      .fn()
      .mockRejectedValueOnce(new ApiError(0, "Can't reach the server. Check your connection and try again."))
      .mockResolvedValue(undefined);
    render(<SignOutEverywhere onSignOutEverywhere={onSignOutEverywhere} />);
    await userEvent.click(screen.getByRole("button", { name: "Sign out everywhere" }));
    expect(screen.getByRole("alert").textContent).toBe("Can't reach the server. Check your connection and try again.");
    await userEvent.click(screen.getByRole("button", { name: "Sign out everywhere" }));
    expect(onSignOutEverywhere).toHaveBeenCalledTimes(2);
  });
});
