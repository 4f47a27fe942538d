import type { ListInfo } from "@/api/client";

import { ErrorState } from "./ListStates";
import { ListNav } from "./ListNav";
import { NewListForm } from "./NewListForm";
import type { LoadStatus } from "./useReloadable";

interface ListSidebarProps {
  status: LoadStatus;
  lists: readonly ListInfo[];
  loadError: string | null;
  onRetry: () => void;
  currentId: string | null;
  onCreate: (name: string) => Promise<unknown>;
  onNavigate?: () => void;
}

/**
 * The links to the caller's lists and the new-list form. The same content is
 * the column beside the list on wide screens and the drawer's on phones (each
 * gives it the heading "Your lists").
 */
export function ListSidebar({ status, lists, loadError, onRetry, currentId, onCreate, onNavigate }: ListSidebarProps) {
  return (
    <div className="list-sidebar">
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
