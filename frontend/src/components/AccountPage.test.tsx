import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { sessionStore } from "@/lib/session-store";

import { AccountPage } from "./AccountPage";

const { router, api } = vi.hoisted(() => ({
  router: { replace: vi.fn(), push: vi.fn(), prefetch: vi.fn() },
  api: {
    me: vi.fn(),
    logOut: vi.fn(),
    stats: vi.fn(),
    changePassword: vi.fn(),
    logOutEverywhere: vi.fn(),
    deleteAccount: vi.fn(),
    lists: vi.fn(),
    listTokens: vi.fn(),
    listDevices: vi.fn(),
    signOutDevice: vi.fn(),
    signOutOtherDevices: vi.fn(),
    createToken: vi.fn(),
    revokeToken: vi.fn(),
    // The header's invitations (AppHeader → InboxButton): none.
    inbox: vi.fn(() => Promise.resolve([])),
    exportData: vi.fn(),
    importData: vi.fn(),
    listWebhooks: vi.fn(),
    webhookDeliveries: vi.fn(),
  },
}));

vi.mock("next/navigation", () => ({ useRouter: () => router }));
vi.mock("@/lib/session", () => ({ api }));

const USER = { id: "u-1", created_at: "2026-03-05T12:00:00Z", name: "user1" };

beforeEach(() => {
  window.history.replaceState(null, "", "/account");
  api.me.mockResolvedValue(USER);
  api.logOut.mockResolvedValue(undefined);
  api.stats.mockResolvedValue({ total: 3, active: 2, completed: 1 });
  api.lists.mockResolvedValue([]);
  api.listTokens.mockResolvedValue([]);
  api.listDevices.mockResolvedValue({ items: [], next_cursor: null });
  api.listWebhooks.mockResolvedValue([]);
});

afterEach(() => {
  window.localStorage.clear();
  vi.clearAllMocks();
});

async function renderLoggedIn() {
  sessionStore.signedIn();
  render(<AccountPage />);
  await screen.findByText("Member since");
}

describe("AccountPage", () => {
  it("sends a tab whose session ended elsewhere to the login page, to come back here", async () => {
    sessionStore.signedOut();
    render(<AccountPage />);
    await waitFor(() => {
      expect(router.replace).toHaveBeenCalledWith("/login?next=%2Faccount");
    });
    expect(api.me).not.toHaveBeenCalled();
  });

  it("shows the user's name and creation date, and the todo count in the danger zone", async () => {
    await renderLoggedIn();
    expect(screen.getAllByText("user1").length).toBeGreaterThan(0);
    const created = document.querySelector("time");
    expect(created?.getAttribute("dateTime")).toBe(USER.created_at);
    expect(created?.textContent).toMatch(/2026/);
    await screen.findByText(/all 3 of its todos/);
    expect(screen.getByRole("link", { name: "Todos" }).getAttribute("href")).toBe("/");
  });

  it("keeps this browser logged in after a password change, with a new session mark", async () => {
    api.changePassword.mockResolvedValue(undefined);
    await renderLoggedIn();
    const before = sessionStore.get();
    await userEvent.type(screen.getByLabelText("Current password"), "pass");
    await userEvent.type(screen.getByLabelText("New password"), "a-new-password");
    await userEvent.type(screen.getByLabelText("Confirm new password"), "a-new-password{Enter}");
    await screen.findByText("Password changed. Every other device has been signed out.");
    expect(api.changePassword).toHaveBeenCalledWith("pass", "a-new-password");
    expect(sessionStore.get()).not.toBeNull();
    expect(sessionStore.get()).not.toBe(before);
    expect(router.replace).not.toHaveBeenCalled();
  });

  it("signs out everywhere: clears the cookie and says so on the login page", async () => {
    api.logOutEverywhere.mockResolvedValue(undefined);
    await renderLoggedIn();
    await userEvent.click(screen.getByRole("button", { name: "Sign out everywhere" }));
    await waitFor(() => {
      expect(router.replace).toHaveBeenCalledWith("/login?reason=signed-out-everywhere");
    });
    expect(sessionStore.get()).toBeNull();
    expect(api.logOut).toHaveBeenCalledTimes(1);
    expect(router.replace).toHaveBeenCalledTimes(1); // not also the "logged out" redirect
  });

  it("deletes the account: clears the cookie and says so on the login page", async () => {
    api.deleteAccount.mockResolvedValue(undefined);
    await renderLoggedIn();
    await userEvent.type(screen.getByLabelText("Password"), "pass");
    await userEvent.type(screen.getByLabelText("Type user1 to confirm"), "user1");
    await userEvent.click(screen.getByRole("button", { name: "Delete account and todos" }));
    await waitFor(() => {
      expect(router.replace).toHaveBeenCalledWith("/login?reason=account-deleted");
    });
    expect(api.deleteAccount).toHaveBeenCalledWith("pass");
    expect(api.logOut).toHaveBeenCalledTimes(1);
    expect(sessionStore.get()).toBeNull();
  });

  it("offers a retry when the account cannot be loaded", async () => {
    api.me.mockRejectedValueOnce(new Error("The server is not ready yet. Try again in a moment."));
    sessionStore.signedIn();
    render(<AccountPage />);
    await screen.findByText("Couldn't load your account");
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    await screen.findByText("Member since");
  });
});
