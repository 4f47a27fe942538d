import { AppHeader } from "./AppHeader";
import { LoadingState } from "./ListStates";

/**
 * What the server sends for `/` and `/lists/<id>` before the browser knows
 * who is logged in: the page's layout with placeholders, so nothing jumps.
 */
export function TodoPageSkeleton() {
  return (
    <>
      <AppHeader wide />
      <div className="workspace">
        <div className="workspace__sidebar" aria-hidden="true" />
        <main className="workspace__main">
          <h1 className="page__title">Todos</h1>
          <section className="card">
            <LoadingState />
          </section>
        </main>
      </div>
    </>
  );
}
