import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { LiveEvent } from "@/api/live-events";

import { InboxButton } from "./InboxButton";
import { type LiveEventListener, LiveEventsContext } from "./useLiveEvents";

const { api } = vi.hoisted(() => ({
  api: { inbox: vi.fn(), acceptInvitation: vi.fn(), declineInvitation: vi.fn(), blockAccount: vi.fn() },
}));
vi.mock("@/lib/session", () => ({ api }));

function invitation(id: string, listName: string, invitedBy = "zoe") {
  return {
    id,
    list_id: `list-${id}`,
    list_name: listName,
    name: "ann",
    role: "editor" as const,
    invited_by: invitedBy,
    created_at: "2024-01-01T00:00:00Z",
    expires_at: "2024-01-15T00:00:00Z",
  };
}

afterEach(() => {
  vi.clearAllMocks();
});

function renderButton() {
  const listeners = new Set<LiveEventListener>();
  const live = {
    status: "live" as const,
    subscribe: (listener: LiveEventListener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    notice: null,
    showNotice: vi.fn(),
    dismissNotice: vi.fn(),
  };
  render(
    <LiveEventsContext value={live}>
      <InboxButton userName="ann" />
    </LiveEventsContext>,
  );
  return (event: LiveEvent) => {
    for (const listener of listeners) listener(event);
  };
}

/** The header's button, once it shows `count` open invitations. */
async function inboxButton(count: number): Promise<HTMLElement> {
  const button = await screen.findByRole("button", { name: /^Invitations/ });
  await waitFor(() => {
    expect(button.textContent).toBe(count > 0 ? `Invitations, open: ${count}` : "Invitations");
  });
  return button;
}

describe("InboxButton", () => {
  it("counts the open invitations, live", async () => {
    api.inbox.mockResolvedValue([invitation("1", "Trip")]);
    const send = renderButton();
    await inboxButton(1);
    send({ type: "invitation.sent", invitation: invitation("2", "Books") });
    await inboxButton(2);
    // An invitation the caller sent as an owner is not theirs to answer.
    send({ type: "invitation.sent", invitation: { ...invitation("3", "Mine"), name: "bob" } });
    send({ type: "invitation.closed", invitation: invitation("1", "Trip"), outcome: "cancelled" });
    await inboxButton(1);
  });

  it("accepts, declines and blocks in place", async () => {
    api.inbox.mockResolvedValue([invitation("1", "Trip"), invitation("2", "Books", "max"), invitation("3", "Spam", "max")]);
    api.acceptInvitation.mockResolvedValue({ id: "list-1", name: "Trip", role: "editor", personal: false, created_at: "" });
    api.declineInvitation.mockResolvedValue(undefined);
    api.blockAccount.mockResolvedValue(undefined);
    renderButton();
    await userEvent.click(await inboxButton(3));
    const dialog = within(screen.getByRole("dialog", { name: "Invitations" }));
    await userEvent.click(dialog.getByRole("button", { name: "Accept “Trip”" }));
    expect(api.acceptInvitation).toHaveBeenCalledWith("1");
    await dialog.findByText("You joined “Trip” as editor.");
    const [block] = dialog.getAllByRole("button", { name: "Block max" });
    if (block) await userEvent.click(block);
    expect(api.blockAccount).toHaveBeenCalledWith("max");
    await dialog.findByText("Blocked max: their invitations will not reach you.");
    await waitFor(() => {
      expect(dialog.getByText("No open invitations.")).toBeTruthy();
    });
    await inboxButton(0);
  });
});
