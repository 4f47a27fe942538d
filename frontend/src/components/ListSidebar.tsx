import type { ListInfo } from "@/api/client";

import type { DueView } from "@/lib/due";

import { DueNav } from "./DueNav";
import { ErrorState } from "./ListStates";
import { ListNav } from "./ListNav";
import { NewListForm } from "./NewListForm";
import { SearchBox } from "./SearchBox";
import type { LoadStatus } from "./useReloadable";

interface ListSidebarProps {
  status: LoadStatus;
  lists: readonly ListInfo[];
  loadError: string | null;
  onRetry: () => void;
  currentId: string | null;
  /** The due view on screen (`/due/<view>`), if any. */
  currentDueView?: DueView | null;
  onCreate: (name: string) => Promise<unknown>;
  onNavigate?: () => void;
  /** The query on screen (`/search?q=`), if any. */
  currentSearch?: string;
  /** Whether this sidebar's search field takes the "/" shortcut (the column's does, the drawer's not). */
  searchShortcut?: boolean;
}

/**
 * The search field, the due views (Today, Upcoming, Overdue), the links to the caller's lists
 * and the new-list form. The same content is
 * the column beside the list on wide screens and the drawer's on phones (each
 * gives it the heading "Your lists").
 */
export function ListSidebar({
  status,
  lists,
  loadError,
  onRetry,
  currentId,
  currentDueView = null,
  onCreate,
  onNavigate,
  currentSearch = "",
  searchShortcut = true,
}: ListSidebarProps) {
  return (
    <div className="list-sidebar">
      <SearchBox key={currentSearch} current={currentSearch} onNavigate={onNavigate} shortcut={searchShortcut} />
      <DueNav current={currentDueView} onNavigate={onNavigate} />
      {status === "loading" ? (
        <p className="list-sidebar__hint" role="status">
          Loading your lists…
        </p>
      ) : null}
      {status === "error" ? (
        <ErrorState title="Couldn't load your lists" message={loadError ?? "Something went wrong."} onRetry={onRetry} />
      ) : null}
      {status === "ready" ? <ListNav lists={lists} currentId={currentId} onNavigate={onNavigate} /> : null}
      <NewListForm onCreate={onCreate} />
    </div>
  );
}
