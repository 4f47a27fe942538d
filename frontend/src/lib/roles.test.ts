import { describe, expect, it } from "vitest";

import { canEditTodos, canManageList, ROLE_LABELS, ROLES } from "./roles";

describe("roles", () => {
  it("rise from viewer to owner", () => {
    expect(ROLES).toEqual(["viewer", "editor", "owner"]);
    expect(ROLES.map((role) => ROLE_LABELS[role])).toEqual(["Viewer", "Editor", "Owner"]);
  });

  it("let editors and owners change todos", () => {
    expect(canEditTodos("viewer")).toBe(false);
    expect(canEditTodos("editor")).toBe(true);
    expect(canEditTodos("owner")).toBe(true);
  });

  it("let only owners manage the list", () => {
    expect(canManageList("viewer")).toBe(false);
    expect(canManageList("editor")).toBe(false);
    expect(canManageList("owner")).toBe(true);
  });
});
