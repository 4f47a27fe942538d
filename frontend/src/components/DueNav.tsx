import Link from "next/link";

import { DUE_VIEWS, type DueView } from "@/lib/due";

interface DueNavProps {
  /** The view on screen (marked as the current page), if any. */
  current: DueView | null;
  onNavigate?: () => void;
}

/** Today, Upcoming and Overdue: the todos due across every list, as links. */
export function DueNav({ current, onNavigate }: DueNavProps) {
  return (
    <nav aria-label="Due" className="due-nav">
      <ul className="list-nav">
        {DUE_VIEWS.map(({ view, label }) => (
          <li key={view}>
            <Link
              className="list-nav__link"
              href={`/due/${view}`}
              aria-current={view === current ? "page" : undefined}
              data-autofocus={view === current ? "" : undefined}
              onClick={onNavigate}
            >
              <span className="list-nav__name">{label}</span>
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
