"use client";

import { useSearchParams } from "next/navigation";

import type { DueView } from "@/lib/due";
import { filterFromSearchParams } from "@/lib/filter";

import { AppHeader } from "./AppHeader";
import { ListWorkspace } from "./ListWorkspace";
import { TodoPageSkeleton } from "./TodoPageSkeleton";
import { useSession } from "./useSession";

/**
 * `/` (the personal list), `/lists/<id>` and the due views (`/due/<view>`). Logged-out visitors are sent to
 * the login page (with `?next=` so they come back here); logged-in users see
 * their lists and the one the URL names.
 */
export function TodoPage({ listId, dueView }: { listId: string | null; dueView?: DueView }) {
  const { mark, user, logOut } = useSession();
  const filter = filterFromSearchParams(useSearchParams());

  if (!mark) return <TodoPageSkeleton />;
  return (
    <>
      <AppHeader current="todos" wide userName={user?.name ?? null} onLogOut={logOut} />
      <ListWorkspace listId={listId} dueView={dueView} filter={filter} userName={user?.name ?? null} />
    </>
  );
}
