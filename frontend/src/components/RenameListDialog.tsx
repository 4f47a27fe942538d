"use client";

import { type SubmitEvent, useState } from "react";

import { validateListName } from "@/lib/validation";

import { Dialog } from "./Dialog";
import { FormField } from "./FormField";

interface RenameListDialogProps {
  currentName: string;
  /** Saves the new name; rejects with an Error whose message is shown. */
  onRename: (name: string) => Promise<unknown>;
  onClose: () => void;
}

/** Renames a list (owners). Closes itself after a successful save. */
export function RenameListDialog({ currentName, onRename, onClose }: RenameListDialogProps) {
  const [name, setName] = useState(currentName);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  async function handleSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (saving) return;
    const checked = validateListName(name);
    if (!checked.ok) {
      setError(checked.message);
      return;
    }
    if (checked.value === currentName) {
      onClose();
      return;
    }
    setSaving(true);
    setError(null);
    try {
      await onRename(checked.value);
      onClose();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "Could not rename the list.");
      setSaving(false);
    }
  }

  return (
    <Dialog title="Rename list" onClose={onClose}>
      <form className="dialog__form" onSubmit={(event) => void handleSubmit(event)} noValidate>
        <FormField
          label="List name"
          name="list-name"
          autoComplete="off"
          value={name}
          onChange={(value) => {
            setName(value);
            setError(null);
          }}
          error={error}
          disabled={saving}
        />
        <div className="dialog__actions">
          <button className="button button--primary" type="submit" disabled={saving}>
            {saving ? "Saving…" : "Save"}
          </button>
          <button className="button" type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
