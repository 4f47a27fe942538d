import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "@/api/errors";
import { tokenStore } from "@/lib/token-store";

import { AuthForm } from "./AuthForm";

const { router, api } = vi.hoisted(() => ({
  router: { replace: vi.fn(), push: vi.fn(), prefetch: vi.fn() },
  api: { login: vi.fn(), signup: vi.fn() },
}));

vi.mock("next/navigation", () => ({ useRouter: () => router }));
vi.mock("@/lib/session", () => ({ api }));

afterEach(() => {
  tokenStore.clear();
  vi.clearAllMocks();
});

describe("AuthForm", () => {
  it("opens with focus in the user name; a wrong password marks both fields and puts focus back there", async () => {
    api.login.mockRejectedValue(new ApiError(401, "Wrong username or password."));
    render(<AuthForm mode="login" next={null} reason={null} />);
    const name = screen.getByLabelText("Username");
    const password = screen.getByLabelText("Password");
    expect(document.activeElement).toBe(name);
    await userEvent.type(name, "user1");
    await userEvent.type(password, "wrong{Enter}");
    const error = await screen.findByRole("alert");
    expect(error.textContent).toBe("Wrong username or password.");
    expect(document.activeElement).toBe(name);
    for (const field of [name, password]) {
      expect(field.getAttribute("aria-invalid")).toBe("true");
      expect(field.getAttribute("aria-describedby")).toBe(error.id);
    }
  });

  it("marks only the field at fault when signing up", async () => {
    render(<AuthForm mode="signup" next={null} reason={null} />);
    await userEvent.type(screen.getByLabelText("Username"), "valid_name");
    await userEvent.type(screen.getByLabelText("Password"), "short{Enter}");
    expect(screen.getByRole("alert").textContent).toBe("Passwords are 8–128 characters long.");
    expect(screen.getByLabelText("Password").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByLabelText("Username").getAttribute("aria-invalid")).toBeNull();
    expect(document.activeElement).toBe(screen.getByLabelText("Password"));
    expect(api.signup).not.toHaveBeenCalled();
  });

  it("sends a visitor who is logged in already on to `next`", async () => {
    tokenStore.set("a-token");
    render(<AuthForm mode="signup" next="/lists/abc" reason={null} />);
    await waitFor(() => {
      expect(router.replace).toHaveBeenCalledWith("/lists/abc");
    });
  });
});
