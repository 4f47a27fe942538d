import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { ListInfo } from "@/api/client";
import { ApiError } from "@/api/errors";

import { ShareDialog } from "./ShareDialog";

const { api } = vi.hoisted(() => ({
  api: {
    members: vi.fn(),
    setMemberRole: vi.fn(),
    removeMember: vi.fn(),
    share: vi.fn(),
    listInvitations: vi.fn(),
    cancelInvitation: vi.fn(),
    listShareLinks: vi.fn(),
    createShareLink: vi.fn(),
    revokeShareLink: vi.fn(),
  },
}));
vi.mock("@/lib/session", () => ({ api }));

const LIST: ListInfo = { id: "list-1", name: "Trip", role: "owner", personal: false, created_at: "2024-01-01T00:00:00Z" };

const INVITATION = {
  id: "inv-1",
  list_id: "list-1",
  list_name: "Trip",
  name: "bob",
  role: "editor" as const,
  invited_by: "ann",
  created_at: "2024-01-01T00:00:00Z",
  expires_at: "2024-01-15T00:00:00Z",
};

const LINK = {
  id: "link-1",
  list_id: "list-1",
  role: "editor" as const,
  created_by: "ann",
  created_at: "2024-01-01T00:00:00Z",
  expires_at: null,
  max_uses: 3,
  uses: 1,
};

beforeEach(() => {
  api.listInvitations.mockResolvedValue([]);
  api.listShareLinks.mockResolvedValue([]);
});

afterEach(() => {
  vi.clearAllMocks();
});

function renderDialog(list: ListInfo = LIST) {
  const props = {
    list,
    userName: "ann",
    onLeave: vi.fn().mockResolvedValue(undefined),
    onAccessChanged: vi.fn(),
    onClose: vi.fn(),
  };
  render(<ShareDialog {...props} />);
  return props;
}

async function members() {
  return within(await screen.findByRole("list", { name: "Members" }));
}

describe("ShareDialog (owner)", () => {
  it("lists the members, you included, with a role picker for each", async () => {
    api.members.mockResolvedValue([
      { name: "ann", role: "owner" },
      { name: "bob", role: "editor" },
    ]);
    renderDialog();
    expect(screen.getByRole("dialog", { name: "Share “Trip”" })).toBeTruthy();
    const list = await members();
    await list.findByText("ann (you)");
    expect(list.getByRole("combobox", { name: "Role of bob" })).toHaveProperty("value", "editor");
    expect(list.getByRole("button", { name: "Remove bob" })).toBeTruthy();
    expect(list.queryByRole("button", { name: "Remove ann" })).toBeNull();
  });

  it("invites a person by user name with the chosen role, and shows the invitation as pending", async () => {
    api.members.mockResolvedValue([{ name: "ann", role: "owner" }]);
    api.share.mockResolvedValue({ invitation: INVITATION });
    renderDialog();
    await members();
    expect(document.activeElement).toBe(screen.getByRole("textbox", { name: "User name" }));
    await userEvent.type(screen.getByRole("textbox", { name: "User name" }), " bob ");
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Role" }), "editor");
    await userEvent.click(screen.getByRole("button", { name: "Share" }));
    expect(api.share).toHaveBeenCalledWith("list-1", "bob", "editor");
    await screen.findByText("Invited bob as editor: they join once they accept.");
    const pending = within(screen.getByRole("list", { name: "Pending invitations" }));
    expect(pending.getByText("bob")).toBeTruthy();
    expect((await members()).queryByText("bob")).toBeNull();
    expect(screen.getByRole("textbox", { name: "User name" })).toHaveProperty("value", "");
  });

  it("makes a share link: the URL shown once, with the secret in its fragment; the list shows no secret", async () => {
    api.members.mockResolvedValue([{ name: "ann", role: "owner" }]);
    const secret = "s".repeat(43);
    api.createShareLink.mockResolvedValue({ ...LINK, uses: 0, secret });
    renderDialog();
    await screen.findByText("No share links yet.");
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Joins as" }), "editor");
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Expires after" }), "Never");
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Uses" }), "5 people");
    await userEvent.click(screen.getByRole("button", { name: "Create link" }));
    expect(api.createShareLink).toHaveBeenCalledWith("list-1", { role: "editor", expires_in_days: null, max_uses: 5 });
    const url = await screen.findByRole("textbox", { name: /copy it now/ });
    expect(url).toHaveProperty("value", `${window.location.origin}/join#${secret}`);
    const links = within(screen.getByRole("list", { name: "Share links" }));
    expect(links.getByText(/Editor · 0 of 3 used · no expiry/)).toBeTruthy();
    expect(links.queryByText(new RegExp(secret))).toBeNull();
  });

  it("lists the share links and revokes one", async () => {
    api.members.mockResolvedValue([{ name: "ann", role: "owner" }]);
    api.listShareLinks.mockResolvedValue([LINK]);
    api.revokeShareLink.mockResolvedValue(undefined);
    renderDialog();
    const links = within(await screen.findByRole("list", { name: "Share links" }));
    expect(links.getByText(/Editor · 1 of 3 used/)).toBeTruthy();
    await userEvent.click(links.getByRole("button", { name: /^Revoke the editor link/ }));
    expect(api.revokeShareLink).toHaveBeenCalledWith("list-1", "link-1");
    await screen.findByText(/The link is revoked/);
    expect(screen.getByText("No share links yet.")).toBeTruthy();
  });

  it("lists the open invitations and cancels one", async () => {
    api.members.mockResolvedValue([{ name: "ann", role: "owner" }]);
    api.listInvitations.mockResolvedValue([INVITATION]);
    api.cancelInvitation.mockResolvedValue(undefined);
    renderDialog();
    const pending = within(await screen.findByRole("list", { name: "Pending invitations" }));
    await userEvent.click(pending.getByRole("button", { name: "Cancel the invitation to bob" }));
    expect(api.cancelInvitation).toHaveBeenCalledWith("list-1", "inv-1");
    await screen.findByText("The invitation to bob is cancelled.");
    expect(screen.queryByRole("list", { name: "Pending invitations" })).toBeNull();
  });

  it("changes a member's role at once when sharing with a member", async () => {
    api.members.mockResolvedValue([
      { name: "ann", role: "owner" },
      { name: "bob", role: "viewer" },
    ]);
    api.share.mockResolvedValue({ member: { name: "bob", role: "editor" } });
    renderDialog();
    await members();
    await userEvent.type(screen.getByRole("textbox", { name: "User name" }), "bob");
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Role" }), "editor");
    await userEvent.click(screen.getByRole("button", { name: "Share" }));
    await screen.findByText("bob is now editor.");
    expect((await members()).getByRole("combobox", { name: "Role of bob" })).toHaveProperty("value", "editor");
  });

  it("says 'No account with that name.' in the dialog and keeps what was typed", async () => {
    api.members.mockResolvedValue([{ name: "ann", role: "owner" }]);
    api.share.mockRejectedValue(new ApiError(404, "No account with that name."));
    const props = renderDialog();
    await members();
    await userEvent.type(screen.getByRole("textbox", { name: "User name" }), "nobody{Enter}");
    const alert = await within(screen.getByRole("dialog")).findByRole("alert");
    expect(alert.textContent).toBe("No account with that name.");
    expect(screen.getByRole("textbox", { name: "User name" })).toHaveProperty("value", "nobody");
    expect(props.onAccessChanged).toHaveBeenCalled(); // a 404 may also mean the list went: look again
  });

  it("checks the name before asking the server", async () => {
    api.members.mockResolvedValue([]);
    renderDialog();
    await userEvent.type(screen.getByRole("textbox", { name: "User name" }), "a b{Enter}");
    expect(screen.getByRole("alert").textContent).toBe("Usernames may use letters, digits, '_', '.' and '-' only.");
    expect(api.share).not.toHaveBeenCalled();
  });

  it("changes a role, and removes a member", async () => {
    api.members.mockResolvedValue([
      { name: "ann", role: "owner" },
      { name: "bob", role: "viewer" },
    ]);
    api.setMemberRole.mockResolvedValue({ name: "bob", role: "editor" });
    api.removeMember.mockResolvedValue(undefined);
    renderDialog();
    const list = await members();
    await userEvent.selectOptions(await list.findByRole("combobox", { name: "Role of bob" }), "editor");
    expect(api.setMemberRole).toHaveBeenCalledWith("list-1", "bob", "editor");
    await screen.findByText("bob is now editor.");
    await userEvent.click(list.getByRole("button", { name: "Remove bob" }));
    expect(api.removeMember).toHaveBeenCalledWith("list-1", "bob");
    await waitFor(() => {
      expect(list.queryByText("bob")).toBeNull();
    });
  });

  it("shows the last-owner refusal when an owner demotes themselves", async () => {
    api.members.mockResolvedValue([{ name: "ann", role: "owner" }]);
    api.setMemberRole.mockRejectedValue(
      new ApiError(409, "A list must keep an owner: make another member an owner first"),
    );
    renderDialog();
    const list = await members();
    await userEvent.selectOptions(await list.findByRole("combobox", { name: "Role of ann" }), "viewer");
    const alert = await within(screen.getByRole("dialog")).findByRole("alert");
    expect(alert.textContent).toBe("A list must keep an owner: make another member an owner first");
    expect(list.getByRole("combobox", { name: "Role of ann" })).toHaveProperty("value", "owner");
  });
});

describe("ShareDialog (editor or viewer)", () => {
  it("shows who has access, without controls to change it, and lets you leave", async () => {
    api.members.mockResolvedValue([
      { name: "zoe", role: "owner" },
      { name: "ann", role: "viewer" },
    ]);
    const props = renderDialog({ ...LIST, role: "viewer" });
    expect(screen.getByRole("dialog", { name: "Members of “Trip”" })).toBeTruthy();
    const list = await members();
    await list.findByText("zoe");
    expect(list.getByText("Owner")).toBeTruthy();
    expect(screen.queryByRole("textbox", { name: "User name" })).toBeNull();
    expect(screen.queryByRole("combobox")).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Leave list" }));
    expect(props.onLeave).toHaveBeenCalled();
  });

  it("shows why leaving failed", async () => {
    api.members.mockResolvedValue([{ name: "ann", role: "owner" }]);
    const props = renderDialog();
    props.onLeave.mockRejectedValue(new ApiError(409, "A list must keep an owner: make another member an owner first"));
    await members();
    await userEvent.click(screen.getByRole("button", { name: "Leave list" }));
    expect((await screen.findByRole("alert")).textContent).toContain("must keep an owner");
  });
});
