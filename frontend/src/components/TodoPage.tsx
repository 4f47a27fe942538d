"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";

import { loginUrl } from "@/lib/auth-redirect";
import { filterFromSearchParams } from "@/lib/filter";
import { api } from "@/lib/session";
import { tokenStore } from "@/lib/token-store";
import { useToken } from "@/lib/use-token";

import { AppHeader } from "./AppHeader";
import { LoadingState } from "./ListStates";
import { TodoBoard } from "./TodoBoard";

/**
 * The home page. Logged-out visitors are sent to the login page (with
 * `?next=` so they come back here); logged-in users see their list.
 */
export function TodoPage() {
  const token = useToken();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const filter = filterFromSearchParams(searchParams);
  const [userName, setUserName] = useState<string | null>(null);
  const loggingOut = useRef(false);

  useEffect(() => {
    if (token === null && !loggingOut.current) {
      const query = searchParams.toString();
      router.replace(loginUrl({ next: query ? `${pathname}?${query}` : pathname }));
    }
  }, [token, router, pathname, searchParams]);

  useEffect(() => {
    if (!token) return;
    api.me().then(
      (user) => {
        setUserName(user.name);
      },
      () => {
        // A 401 redirects to login; anything else just leaves the name out.
      },
    );
  }, [token]);

  function logOut() {
    loggingOut.current = true;
    tokenStore.clear();
    router.replace(loginUrl({ reason: "logged-out" }));
  }

  return (
    <>
      <AppHeader userName={token ? userName : null} onLogOut={token ? logOut : undefined} />
      <main className="page">
        <h1 className="page__title">Todos</h1>
        {token ? <TodoBoard filter={filter} /> : <LoadingState />}
      </main>
    </>
  );
}
