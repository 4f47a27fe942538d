import { Suspense } from "react";

import { AppHeader } from "@/components/AppHeader";
import { LoadingState } from "@/components/ListStates";
import { TodoPage } from "@/components/TodoPage";

// TodoPage reads the filter from the URL (useSearchParams) and the token from
// localStorage, so it renders in the browser; the server sends this skeleton.
export default function Home() {
  return (
    <Suspense
      fallback={
        <>
          <AppHeader />
          <main className="page">
            <h1 className="page__title">Todos</h1>
            <LoadingState />
          </main>
        </>
      }
    >
      <TodoPage />
    </Suspense>
  );
}
