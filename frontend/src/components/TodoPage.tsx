"use client";

import { useSearchParams } from "next/navigation";

import { filterFromSearchParams } from "@/lib/filter";

import { AppHeader } from "./AppHeader";
import { ListWorkspace } from "./ListWorkspace";
import { TodoPageSkeleton } from "./TodoPageSkeleton";
import { useSession } from "./useSession";

/**
 * `/` (the personal list) and `/lists/<id>`. Logged-out visitors are sent to
 * the login page (with `?next=` so they come back here); logged-in users see
 * their lists and the one the URL names.
 */
export function TodoPage({ listId }: { listId: string | null }) {
  const { mark, user, logOut } = useSession();
  const filter = filterFromSearchParams(useSearchParams());

  if (!mark) return <TodoPageSkeleton />;
  return (
    <>
      <AppHeader current="todos" wide userName={user?.name ?? null} onLogOut={logOut} />
      <ListWorkspace listId={listId} filter={filter} userName={user?.name ?? null} />
    </>
  );
}
