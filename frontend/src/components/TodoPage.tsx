"use client";

import { useSearchParams } from "next/navigation";

import { filterFromSearchParams } from "@/lib/filter";

import { AppHeader } from "./AppHeader";
import { LoadingState } from "./ListStates";
import { TodoBoard } from "./TodoBoard";
import { useSession } from "./useSession";

/**
 * The home page. Logged-out visitors are sent to the login page (with
 * `?next=` so they come back here); logged-in users see their list.
 */
export function TodoPage() {
  const { token, user, logOut } = useSession();
  const filter = filterFromSearchParams(useSearchParams());

  return (
    <>
      <AppHeader current="todos" userName={user?.name ?? null} onLogOut={logOut} />
      <main className="page">
        <h1 className="page__title">Todos</h1>
        {token ? <TodoBoard filter={filter} /> : <LoadingState />}
      </main>
    </>
  );
}
