/**
 * What each role in a shared list may do. The backend decides (a 403 when
 * the role is too low); the page uses these to hide or disable what the user
 * cannot do, instead of offering buttons that would fail.
 */
import type { Role } from "@/api/client";

/** In rising order: each role may do everything the one before it may. */
export const ROLES = ["viewer", "editor", "owner"] as const satisfies readonly Role[];

export const ROLE_LABELS: Record<Role, string> = {
  viewer: "Viewer",
  editor: "Editor",
  owner: "Owner",
};

/** One line per role, for the share dialog's role picker. */
export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  viewer: "can see the todos",
  editor: "can also add, change, tick and delete todos",
  owner: "can also rename, share and delete the list",
};

function atLeast(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}

/** Add, edit, tick, delete and clear todos. */
export function canEditTodos(role: Role): boolean {
  return atLeast(role, "editor");
}

/** Rename or delete the list, and add, change or remove its members. */
export function canManageList(role: Role): boolean {
  return atLeast(role, "owner");
}

/** Shown in place of the controls a viewer cannot use. */
export const VIEWER_NOTE = "You can view this list; ask an owner to make you an editor.";
