import type { Filter } from "@/lib/filter";

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

export function EmptyState({ filter }: { filter: Filter }) {
  const { title, hint } = EMPTY_MESSAGES[filter];
  return (
    <div className="list-state" role="status">
      <p className="list-state__title">{title}</p>
      <p className="list-state__hint">{hint}</p>
    </div>
  );
}

interface ErrorStateProps {
  message: string;
  onRetry: () => void;
  title?: string;
  /** Extra classes, e.g. "card" where the state stands on its own. */
  className?: string;
}

export function ErrorState({ message, onRetry, title = "Couldn't load your todos", className }: ErrorStateProps) {
  return (
    <div className={`list-state list-state--error${className ? ` ${className}` : ""}`} role="alert">
      <p className="list-state__title">{title}</p>
      <p className="list-state__hint">{message}</p>
      <button className="button" type="button" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}
