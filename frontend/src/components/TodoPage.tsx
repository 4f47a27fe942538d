"use client";

import { useSearchParams } from "next/navigation";

import type { DueView } from "@/lib/due";
import { filterFromSearchParams } from "@/lib/filter";
import { normaliseQuery } from "@/lib/search";

import { AppHeader } from "./AppHeader";
import { ListWorkspace } from "./ListWorkspace";
import { TodoPageSkeleton } from "./TodoPageSkeleton";
import { useSession } from "./useSession";

/**
 * `/` (the personal list), `/lists/<id>`, the due views (`/due/<view>`) and search (`/search?q=`). Logged-out visitors are sent to
 * the login page (with `?next=` so they come back here); logged-in users see
 * their lists and the one the URL names.
 */
export function TodoPage({ listId, dueView, search = false }: { listId: string | null; dueView?: DueView; search?: boolean }) {
  const { mark, user, logOut } = useSession();
  const params = useSearchParams();
  const filter = filterFromSearchParams(params);
  const searchQuery = search ? normaliseQuery(params.get("q")) : undefined;

  if (!mark) return <TodoPageSkeleton />;
  return (
    <>
      <AppHeader current="todos" wide userName={user?.name ?? null} onLogOut={logOut} />
      <ListWorkspace listId={listId} dueView={dueView} searchQuery={searchQuery} filter={filter} userName={user?.name ?? null} />
    </>
  );
}
