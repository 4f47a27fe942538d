"use client";

import { useState } from "react";

interface ToggleAllButtonProps {
  /** Every todo of the list is complete: the button marks them all incomplete. */
  allCompleted: boolean;
  onMarkAll: (completed: boolean) => Promise<void>;
}

/**
 * "Mark all complete" (or, when they all are, "Mark all incomplete"):
 * TodoMVC's toggle-all. A press while the previous one is still being saved
 * counts: the label has already turned (the rows show the change at once),
 * so the press means the opposite, and each todo's changes are sent in order
 * (src/lib/todo-changes.ts). It was once ignored, and "Mark all complete"
 * then "Mark all incomplete" on a slow network ended complete.
 */
export function ToggleAllButton({ allCompleted, onMarkAll }: ToggleAllButtonProps) {
  /** Presses still being saved. */
  const [saving, setSaving] = useState(0);
  return (
    <div className="toggle-all">
      <button
        className="text-button toggle-all__button"
        type="button"
        aria-busy={saving > 0 || undefined}
        onClick={() => {
          setSaving((count) => count + 1);
          void onMarkAll(!allCompleted).finally(() => {
            setSaving((count) => count - 1);
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
