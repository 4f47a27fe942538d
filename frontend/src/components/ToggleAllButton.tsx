"use client";

import { useState } from "react";

interface ToggleAllButtonProps {
  /** Every todo of the list is complete: the button marks them all incomplete. */
  allCompleted: boolean;
  onMarkAll: (completed: boolean) => Promise<void>;
}

/** "Mark all complete" (or, when they all are, "Mark all incomplete"): TodoMVC's toggle-all. */
export function ToggleAllButton({ allCompleted, onMarkAll }: ToggleAllButtonProps) {
  const [busy, setBusy] = useState(false);
  return (
    <div className="toggle-all">
      <button
        className="text-button toggle-all__button"
        type="button"
        aria-busy={busy || undefined}
        onClick={() => {
          if (busy) return;
          setBusy(true);
          void onMarkAll(!allCompleted).finally(() => {
            setBusy(false);
          });
        }}
      >
        <svg aria-hidden="true" viewBox="0 0 20 20" width="16" height="16">
          <path d="m4 7 6 6 6-6" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        {allCompleted ? "Mark all incomplete" : "Mark all complete"}
      </button>
    </div>
  );
}
