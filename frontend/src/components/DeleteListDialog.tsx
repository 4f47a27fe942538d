"use client";

import { useState } from "react";

import { Dialog } from "./Dialog";

interface DeleteListDialogProps {
  listName: string;
  /** Deletes the list (and leaves its page); rejects with an Error whose message is shown. */
  onDelete: () => Promise<void>;
  onClose: () => void;
}

/**
 * "Delete this list?" Focus starts on Cancel, so Enter right after opening
 * does not delete anything.
 */
export function DeleteListDialog({ listName, onDelete, onClose }: DeleteListDialogProps) {
  const [error, setError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);

  async function confirm() {
    if (deleting) return;
    setDeleting(true);
    setError(null);
    try {
      await onDelete();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "Could not delete the list.");
      setDeleting(false);
    }
  }

  return (
    <Dialog
      title={`Delete “${listName}”?`}
      description="Its todos are deleted with it, for everyone it is shared with. This cannot be undone."
      onClose={onClose}
    >
      {error ? (
        <p className="banner banner--error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="dialog__actions">
        <button className="button button--danger" type="button" disabled={deleting} onClick={() => void confirm()}>
          {deleting ? "Deleting…" : "Delete list"}
        </button>
        <button className="button" type="button" data-autofocus="" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
