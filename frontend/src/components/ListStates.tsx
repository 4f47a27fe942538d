import Link from "next/link";

import type { Filter } from "@/lib/filter";

import { ErrorReference } from "./ErrorReference";

/** Placeholder rows while the first page loads. */
export function LoadingState() {
  return (
    <div className="list-state list-state--loading" role="status" aria-busy="true">
      <span className="visually-hidden">Loading your todos…</span>
      {[0, 1, 2].map((row) => (
        <div key={row} className="skeleton-row" aria-hidden="true">
          <span className="skeleton skeleton--box" />
          <span className="skeleton skeleton--line" />
        </div>
      ))}
    </div>
  );
}

const EMPTY_MESSAGES: Record<Filter, { title: string; hint: string }> = {
  all: { title: "Nothing to do yet", hint: "Add your first todo above and press Enter." },
  active: { title: "All done!", hint: "Nothing left to do. Enjoy the moment." },
  completed: { title: "Nothing completed yet", hint: "Tick a todo's checkbox when it's done." },
};

/** What a viewer reads instead: they can neither add nor tick. */
const VIEWER_HINTS: Record<Filter, string> = {
  all: "Nobody has added a todo to this list yet.",
  active: "Nothing left to do in this list.",
  completed: "Nothing in this list is done yet.",
};

/** No todos (under this filter). `canAdd` false (a viewer) changes the hint. */
export function EmptyState({ filter, canAdd = true }: { filter: Filter; canAdd?: boolean }) {
  const { title, hint: editorHint } = EMPTY_MESSAGES[filter];
  const hint = canAdd ? editorHint : VIEWER_HINTS[filter];
  return (
    <div className="list-state" role="status">
      <p className="list-state__title">{title}</p>
      <p className="list-state__hint">{hint}</p>
    </div>
  );
}

interface ErrorStateProps {
  message: string;
  /** The failed request's id, when the server failed. */
  reference?: string | null;
  onRetry: () => void;
  title?: string;
  /** Extra classes, e.g. "card" where the state stands on its own. */
  className?: string;
}

export function ErrorState({ message, reference, onRetry, title = "Couldn't load your todos", className }: ErrorStateProps) {
  return (
    <div className={`list-state list-state--error${className ? ` ${className}` : ""}`} role="alert">
      <p className="list-state__title">{title}</p>
      <p className="list-state__hint">{message}</p>
      {reference ? (
        <p className="list-state__hint">
          <ErrorReference reference={reference} />
        </p>
      ) : null}
      <button className="button" type="button" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}

/**
 * `/lists/<id>` for a list the caller cannot see. The backend answers 404
 * both when it does not exist and when the caller is not a member, so the
 * page cannot (and should not) tell which.
 */
export function NoAccessState() {
  return (
    <section className="card list-state" role="alert">
      <p className="list-state__title">This list isn&apos;t available</p>
      <p className="list-state__hint">
        It doesn&apos;t exist, or you are not a member of it. If someone shared it with you, ask them to add you again.
      </p>
      <p className="list-state__hint">
        <Link href="/">Back to your todos</Link>
      </p>
    </section>
  );
}
