import type { Problem } from "@/lib/problem";

import { ErrorReference } from "./ErrorReference";

interface ErrorBannerProps {
  problem: Problem;
  onDismiss: () => void;
}

/** A failed action (toggle, delete, …), shown until dismissed. */
export function ErrorBanner({ problem, onDismiss }: ErrorBannerProps) {
  return (
    <div className="banner banner--error" role="alert">
      <span className="banner__text">
        {problem.message}
        {problem.reference ? <ErrorReference reference={problem.reference} /> : null}
      </span>
      <button className="text-button" type="button" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
