import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "@/api/errors";
import { sessionStore } from "@/lib/session-store";

import { AuthForm, LEGACY_SESSION_MESSAGE } from "./AuthForm";

const { router, api } = vi.hoisted(() => ({
  router: { replace: vi.fn(), push: vi.fn(), prefetch: vi.fn(), refresh: vi.fn() },
  api: { login: vi.fn(), signup: vi.fn() },
}));

vi.mock("next/navigation", () => ({ useRouter: () => router }));
vi.mock("@/lib/session", () => ({ api }));

afterEach(() => {
  sessionStore.signedOut();
  window.localStorage.clear();
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

  it("moves on to `next` when another tab logs in", async () => {
    render(<AuthForm mode="signup" next="/lists/abc" reason={null} />);
    expect(router.replace).not.toHaveBeenCalled();
    sessionStore.signedIn();
    await waitFor(() => {
      expect(router.replace).toHaveBeenCalledWith("/lists/abc");
    });
  });

  it("logs in without ever holding a token, and moves on", async () => {
    api.login.mockResolvedValue(undefined);
    render(<AuthForm mode="login" next="/account" reason={null} />);
    await userEvent.type(screen.getByLabelText("Username"), "user1");
    await userEvent.type(screen.getByLabelText("Password"), "pass{Enter}");
    await waitFor(() => {
      expect(router.replace).toHaveBeenCalledWith("/account");
    });
    expect(api.login).toHaveBeenCalledWith("user1", "pass");
    expect(sessionStore.get()).not.toBeNull();
    expect(window.localStorage.length).toBe(0);
  });

  it("deletes the token an earlier version left in localStorage, and says why a log-in is asked", async () => {
    window.localStorage.setItem("minor-illusion.token", "eyJ.old.token");
    // A fresh page load: the check runs once per load.
    vi.resetModules();
    const fresh = await import("./AuthForm");
    render(<fresh.AuthForm mode="login" next={null} reason={null} />);
    await screen.findByText(LEGACY_SESSION_MESSAGE);
    expect(window.localStorage.getItem("minor-illusion.token")).toBeNull();
  });
});
