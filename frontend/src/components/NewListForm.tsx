"use client";

import { type SubmitEvent, useId, useState } from "react";

import { LIST_NAME_MAX, validateListName } from "@/lib/validation";

interface NewListFormProps {
  /** Creates the list (and opens it); rejects with an Error whose message is shown. */
  onCreate: (name: string) => Promise<unknown>;
}

/** "New list" under the sidebar's lists: a name and Enter. */
export function NewListForm({ onCreate }: NewListFormProps) {
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const errorId = useId();

  async function handleSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (saving) return;
    const checked = validateListName(name);
    if (!checked.ok) {
      setError(checked.message);
      return;
    }
    setSaving(true);
    setError(null);
    try {
      await onCreate(checked.value);
      setName("");
    } catch (failure) {
      // Keep the name so the user can fix it or try again.
      setError(failure instanceof Error ? failure.message : "Could not create the list.");
    } finally {
      setSaving(false);
    }
  }

  return (
    <form className="new-list" onSubmit={(event) => void handleSubmit(event)} noValidate>
      <input
        className="new-list__input"
        aria-label="New list name"
        placeholder="New list"
        value={name}
        maxLength={LIST_NAME_MAX + 50}
        autoComplete="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        onChange={(event) => {
          setName(event.target.value);
          if (error) setError(null);
        }}
      />
      <button className="button button--small" type="submit" disabled={saving}>
        {saving ? "Creating…" : "Create list"}
      </button>
      {error ? (
        <p className="field-error new-list__error" id={errorId} role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
