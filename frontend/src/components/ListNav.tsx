import Link from "next/link";

import type { ListInfo } from "@/api/client";
import { listHref } from "@/lib/lists";

import { RoleBadge } from "./RoleBadge";

interface ListNavProps {
  lists: readonly ListInfo[];
  /** The id of the list on screen (marked as the current page). */
  currentId: string | null;
  /** Called when a link is followed (the phone drawer closes). */
  onNavigate?: () => void;
}

/** The caller's lists as links, personal first; shared lists show the caller's role. */
export function ListNav({ lists, currentId, onNavigate }: ListNavProps) {
  return (
    <nav aria-label="Lists">
      <ul className="list-nav">
        {lists.map((list) => {
          const current = list.id === currentId;
          return (
            <li key={list.id}>
              <Link
                className="list-nav__link"
                href={listHref(list)}
                aria-current={current ? "page" : undefined}
                // In the drawer, focus starts on the list the user is in.
                data-autofocus={current ? "" : undefined}
                onClick={onNavigate}
              >
                <span className="list-nav__name">{list.name}</span>
                {list.personal ? null : <RoleBadge role={list.role} />}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
