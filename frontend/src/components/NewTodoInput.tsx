"use client";

import { type SubmitEvent, useId, useRef, useState } from "react";

import { newIdempotencyKey } from "@/lib/idempotency";
import { TITLE_MAX, validateTitle } from "@/lib/validation";

interface NewTodoInputProps {
  /** Creates the todo; rejects with an Error whose message is shown. */
  onAdd: (title: string, idempotencyKey: string) => Promise<unknown>;
}

/** The "What needs to be done?" field at the top of the list. Enter adds. */
export function NewTodoInput({ onAdd }: NewTodoInputProps) {
  const [title, setTitle] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  // One key per draft: resubmitting the same text after a failure reuses it.
  const idempotencyKey = useRef<string | null>(null);
  const errorId = useId();

  async function handleSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (saving) return;
    const checked = validateTitle(title);
    if (!checked.ok) {
      setError(checked.message);
      return;
    }
    idempotencyKey.current ??= newIdempotencyKey();
    setSaving(true);
    setError(null);
    try {
      await onAdd(checked.value, idempotencyKey.current);
      setTitle("");
      idempotencyKey.current = null;
    } catch (failure) {
      // Keep what the user typed so they can retry.
      setError(failure instanceof Error ? failure.message : "Could not add the todo.");
    } finally {
      setSaving(false);
    }
  }

  return (
    <form className="new-todo" onSubmit={(event) => void handleSubmit(event)} noValidate>
      <input
        className="new-todo__input"
        aria-label="New todo"
        placeholder="What needs to be done?"
        value={title}
        maxLength={TITLE_MAX + 50}
        autoComplete="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        onChange={(event) => {
          setTitle(event.target.value);
          idempotencyKey.current = null;
          if (error) setError(null);
        }}
      />
      <button className="button button--primary" type="submit" disabled={saving}>
        {saving ? "Adding…" : "Add"}
      </button>
      {error ? (
        <p className="field-error new-todo__error" id={errorId} role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
