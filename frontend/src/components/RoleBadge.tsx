import type { Role } from "@/api/client";
import { ROLE_LABELS } from "@/lib/roles";

/** "Viewer" / "Editor" / "Owner": the caller's role in a shared list. */
export function RoleBadge({ role }: { role: Role }) {
  return (
    <span className={`role-badge role-badge--${role}`}>
      <span className="visually-hidden">your role: </span>
      {ROLE_LABELS[role]}
    </span>
  );
}
