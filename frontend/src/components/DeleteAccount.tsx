"use client";

import { type SubmitEvent, useEffect, useRef, useState } from "react";

import { ApiError } from "@/api/errors";
import { canDeleteAccount } from "@/lib/validation";

import { FormField } from "./FormField";

interface DeleteAccountProps {
  accountName: string;
  /** How many todos the personal list holds (they go with the account), when known. */
  todoCount: number | null;
  /**
   * Deletes the account and leaves the page; rejects with an ApiError (403
   * wrong password, 429 too many attempts) whose message is shown.
   */
  onDelete: (password: string) => Promise<void>;
}

/** What goes with the account: its personal list, with the count of its todos when known. */
function personalListPhrase(count: number | null): string {
  if (count === null) return "its personal list with all of its todos";
  if (count === 0) return "its personal list (empty right now)";
  if (count === 1) return "its personal list with its 1 todo";
  return count === 2 ? "its personal list with both of its todos" : `its personal list with all ${count} of its todos`;
}

/**
 * The danger zone. The button stays disabled until the password is given and
 * the account name is typed exactly, so the deletion is deliberate.
 */
export function DeleteAccount({ accountName, todoCount, onDelete }: DeleteAccountProps) {
  const [password, setPassword] = useState("");
  const [typedName, setTypedName] = useState("");
  const [passwordError, setPasswordError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const passwordField = useRef<HTMLInputElement>(null);
  const ready = canDeleteAccount(accountName, typedName, password);

  // After a wrong password, put the cursor back in that field (once it is
  // enabled again, hence an effect rather than in the handler).
  useEffect(() => {
    if (passwordError) passwordField.current?.focus();
  }, [passwordError]);

  async function handleSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (deleting || !ready) return;
    setDeleting(true);
    setPasswordError(null);
    setFormError(null);
    try {
      await onDelete(password);
      // On success the page is left for the login page; stay disabled until then.
    } catch (failure) {
      const message = failure instanceof Error ? failure.message : "Could not delete the account.";
      if (failure instanceof ApiError && failure.status === 403) {
        setPasswordError(message);
      } else {
        setFormError(message);
      }
      setDeleting(false);
    }
  }

  return (
    <section className="card account-section account-section--danger" aria-labelledby="delete-account-title">
      <h2 id="delete-account-title" className="account-section__title">
        Delete account
      </h2>
      <p className="account-section__text">
        This permanently deletes the account <strong>{accountName}</strong> and {personalListPhrase(todoCount)}.
        A shared list it owns alone passes to its longest-standing editor, or is deleted with its todos if it has
        none. It cannot be undone, and every device is signed out.
      </p>
      <form className="account-form" onSubmit={(event) => void handleSubmit(event)} noValidate aria-busy={deleting}>
        <FormField
          label="Password"
          type="password"
          name="delete-password"
          autoComplete="current-password"
          value={password}
          onChange={(value) => {
            setPassword(value);
            setPasswordError(null);
            setFormError(null);
          }}
          error={passwordError}
          disabled={deleting}
          inputRef={passwordField}
        />
        <FormField
          label={`Type ${accountName} to confirm`}
          name="confirm-account-name"
          autoComplete="off"
          value={typedName}
          onChange={setTypedName}
          disabled={deleting}
        />
        {formError ? (
          <p className="banner banner--error" role="alert">
            {formError}
          </p>
        ) : null}
        <div className="account-form__actions">
          <button className="button button--danger" type="submit" disabled={!ready || deleting}>
            {deleting ? "Deleting account…" : "Delete account and todos"}
          </button>
        </div>
      </form>
    </section>
  );
}
