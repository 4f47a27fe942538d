import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { AccessToken, CreatedToken, NewToken } from "@/api/client";
import { ApiError } from "@/api/errors";

import { AccessTokens, scopeText } from "./AccessTokens";

const LISTS = [
  { id: "l1", name: "Groceries" },
  { id: "l2", name: "Work" },
];

function token(overrides: Partial<AccessToken> = {}): AccessToken {
  return {
    id: "t1",
    name: "backup",
    hint: "mi_pat_Xk3q",
    access: "read",
    list_ids: null,
    created_at: "2026-12-01T09:00:00Z",
    expires_at: "2099-01-01T09:00:00Z",
    last_used_at: null,
    ...overrides,
  };
}

describe("scopeText", () => {
  it("names the access and the lists", () => {
    expect(scopeText({ access: "read", list_ids: null }, LISTS)).toBe("Read only, all lists");
    expect(scopeText({ access: "read-write", list_ids: ["l2"] }, LISTS)).toBe("Read and write, Work");
    expect(scopeText({ access: "read", list_ids: [] }, LISTS)).toBe("Read only, no lists left");
  });
});

describe("AccessTokens", () => {
  it("creates a token for chosen lists, shows its secret once, and lists it", async () => {
    const tokens: AccessToken[] = [];
    const listTokens = vi.fn(() => Promise.resolve([...tokens]));
    const createToken = vi.fn((body: NewToken): Promise<CreatedToken> => {
      const made = token({ name: body.name, access: body.access, list_ids: body.list_ids ?? null });
      tokens.push(made);
      return Promise.resolve({ ...made, secret: "mi_pat_Xk3qSECRET" });
    });
    render(
      <AccessTokens lists={LISTS} listTokens={listTokens} createToken={createToken} revokeToken={vi.fn()} />,
    );
    expect(await screen.findByText("No tokens yet.")).toBeTruthy();

    await userEvent.type(screen.getByLabelText("Name"), "groceries bot");
    await userEvent.selectOptions(screen.getByLabelText("Access"), "read-write");
    await userEvent.click(screen.getByLabelText(/All my lists/));
    const create = screen.getByRole("button", { name: "Create token" });
    expect(create).toHaveProperty("disabled", true); // no list chosen yet
    await userEvent.click(screen.getByLabelText("Groceries"));
    await userEvent.selectOptions(screen.getByLabelText("Expires in"), "7");
    await userEvent.click(create);

    expect(createToken).toHaveBeenCalledWith({
      name: "groceries bot",
      access: "read-write",
      list_ids: ["l1"],
      expires_in_days: 7,
    });
    expect(screen.getByLabelText("Token secret").textContent).toBe("mi_pat_Xk3qSECRET");
    expect(screen.getByText(/it will not be shown again/)).toBeTruthy();
    const listed = await screen.findByRole("list", { name: "Your tokens" });
    expect(listed.textContent).toContain("Read and write, Groceries");
    expect(listed.textContent).toContain("never used");
    expect(listed.textContent).not.toContain("SECRET");
    // Typing key by key takes over 5 s when make check's suites share a busy machine.
  });

  it("revokes a token and says when one has expired", async () => {
    let tokens = [token(), token({ id: "t2", name: "old", expires_at: "2020-01-01T00:00:00Z" })];
    const listTokens = vi.fn(() => Promise.resolve(tokens));
    const revokeToken = vi.fn((id: string) => {
      tokens = tokens.filter((found) => found.id !== id);
      return Promise.resolve();
    });
    render(<AccessTokens lists={LISTS} listTokens={listTokens} createToken={vi.fn()} revokeToken={revokeToken} />);
    const listed = await screen.findByRole("list", { name: "Your tokens" });
    expect(listed.textContent).toContain("expired");
    await userEvent.click(screen.getByRole("button", { name: "Revoke old" }));
    expect(revokeToken).toHaveBeenCalledWith("t2");
    await waitFor(() => {
      expect(screen.queryByRole("button", { name: "Revoke old" })).toBeNull();
    });
  });

  it("shows why a token could not be created", async () => {
    const createToken = vi.fn().mockRejectedValue(new ApiError(409, "An account may have at most 50 tokens"));
    render(
      <AccessTokens
        lists={LISTS}
        listTokens={() => Promise.resolve([])}
        createToken={createToken}
        revokeToken={vi.fn()}
      />,
    );
    await userEvent.type(screen.getByLabelText("Name"), "one too many");
    await userEvent.click(screen.getByRole("button", { name: "Create token" }));
    expect((await screen.findByRole("alert")).textContent).toBe("An account may have at most 50 tokens");
  });
});
