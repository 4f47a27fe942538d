"use client";

import { type Ref, type SubmitEvent, useId, useRef, useState } from "react";

import { newIdempotencyKey } from "@/lib/idempotency";
import { TITLE_MAX, validateTitle } from "@/lib/validation";

interface NewTodoInputProps {
  /** Creates the todo; rejects with an Error whose message is shown. */
  onAdd: (title: string, idempotencyKey: string) => Promise<unknown>;
  /** For the list to put focus back here (after "Clear completed", or deleting the last row). */
  inputRef?: Ref<HTMLInputElement>;
}

/**
 * The "What needs to be done?" field at the top of the list, focused when the
 * page opens. Enter adds: the field empties at once (the list shows the new
 * todo while it is saved), and gets the text back if the add fails. Enter
 * while earlier adds are on their way adds too: they are sent in turn.
 */
export function NewTodoInput({ onAdd, inputRef }: NewTodoInputProps) {
  const [title, setTitle] = useState("");
  const [error, setError] = useState<string | null>(null);
  /** Adds on their way: the button says so, but never refuses the next one. */
  const [adding, setAdding] = useState(0);
  // One key per draft: resubmitting the same text after a failure reuses it.
  const idempotencyKey = useRef<string | null>(null);
  /** What the field holds, for a failed add to tell whether the user has started a new todo meanwhile. */
  const typed = useRef("");
  const errorId = useId();

  async function handleSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const checked = validateTitle(title);
    if (!checked.ok) {
      setError(checked.message);
      return;
    }
    const key = (idempotencyKey.current ??= newIdempotencyKey());
    setAdding((count) => count + 1);
    setError(null);
    setTitle("");
    typed.current = "";
    try {
      await onAdd(checked.value, key);
      idempotencyKey.current = null;
    } catch (failure) {
      // Give the user's text back (unless they started a new one) so they can retry with the same key.
      if (typed.current === "") {
        setTitle(checked.value);
        typed.current = checked.value;
        idempotencyKey.current = key;
      }
      setError(failure instanceof Error ? failure.message : "Could not add the todo.");
    } finally {
      setAdding((count) => count - 1);
    }
  }

  return (
    <form className="new-todo" onSubmit={(event) => void handleSubmit(event)} noValidate>
      <input
        ref={inputRef}
        className="new-todo__input"
        aria-label="New todo"
        placeholder="What needs to be done?"
        value={title}
        maxLength={TITLE_MAX + 50}
        autoComplete="off"
        autoFocus
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        onChange={(event) => {
          setTitle(event.target.value);
          typed.current = event.target.value;
          idempotencyKey.current = null;
          if (error) setError(null);
        }}
        onBlur={() => {
          // "A todo needs a title." is about an empty field the user has left: it goes with them.
          if (error && title.trim() === "") setError(null);
        }}
      />
      <button className="button button--primary" type="submit">
        {adding > 0 ? "Adding…" : "Add"}
      </button>
      {error ? (
        <p className="field-error new-todo__error" id={errorId} role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
