"use client";

import { type SubmitEvent, useRef, useState } from "react";

import { ApiError } from "@/api/errors";
import { PASSWORD_MAX, PASSWORD_MIN, type PasswordChangeField, validatePasswordChange } from "@/lib/validation";

import { FormField } from "./FormField";

interface ChangePasswordFormProps {
  /** The account name, for password managers (a hidden username field). */
  accountName: string;
  /**
   * Changes the password and keeps this browser logged in; rejects with an
   * ApiError (403 wrong current password, 422 new password refused, 429 too
   * many attempts) whose message is shown.
   */
  onChangePassword: (currentPassword: string, newPassword: string) => Promise<void>;
}

type Errors = Partial<Record<PasswordChangeField | "form", string>>;

/** Current, new and confirmed new password; on success every other device is logged out. */
export function ChangePasswordForm({ accountName, onChangePassword }: ChangePasswordFormProps) {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [saving, setSaving] = useState(false);
  const [done, setDone] = useState(false);
  const currentField = useRef<HTMLInputElement>(null);
  const newField = useRef<HTMLInputElement>(null);
  const confirmField = useRef<HTMLInputElement>(null);

  /** Puts the cursor where the problem is. */
  function focus(field: PasswordChangeField) {
    const ref = field === "current" ? currentField : field === "new" ? newField : confirmField;
    ref.current?.focus();
  }

  function edit(setter: (value: string) => void, field: PasswordChangeField) {
    return (value: string) => {
      setter(value);
      setDone(false);
      if (errors[field] || errors.form) setErrors({});
    };
  }

  async function handleSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (saving) return;
    setDone(false);
    const checked = validatePasswordChange(current, next, confirm);
    if (!checked.ok) {
      setErrors({ [checked.field]: checked.message });
      focus(checked.field);
      return;
    }
    setSaving(true);
    setErrors({});
    try {
      await onChangePassword(checked.value.currentPassword, checked.value.newPassword);
      setCurrent("");
      setNext("");
      setConfirm("");
      setDone(true);
    } catch (failure) {
      const message = failure instanceof Error ? failure.message : "Could not change the password.";
      const status = failure instanceof ApiError ? failure.status : 0;
      // A wrong current password belongs to that field, a refused new one to its field.
      const field = status === 403 ? "current" : status === 422 ? "new" : "form";
      setErrors({ [field]: message });
      if (field !== "form") focus(field);
    } finally {
      setSaving(false);
    }
  }

  return (
    <section className="card account-section" aria-labelledby="change-password-title">
      <h2 id="change-password-title" className="account-section__title">
        Change password
      </h2>
      <p className="account-section__text">
        Changing your password signs you out on every other device. You stay signed in here.
      </p>
      <form className="account-form" onSubmit={(event) => void handleSubmit(event)} noValidate aria-busy={saving}>
        {/* Lets password managers file the new password under the right account. */}
        <input type="text" name="username" autoComplete="username" value={accountName} readOnly hidden />
        <FormField
          label="Current password"
          type="password"
          name="current-password"
          autoComplete="current-password"
          value={current}
          onChange={edit(setCurrent, "current")}
          error={errors.current}
          inputRef={currentField}
        />
        <FormField
          label="New password"
          type="password"
          name="new-password"
          autoComplete="new-password"
          hint={`${PASSWORD_MIN}–${PASSWORD_MAX} characters.`}
          value={next}
          onChange={edit(setNext, "new")}
          error={errors.new}
          inputRef={newField}
        />
        <FormField
          label="Confirm new password"
          type="password"
          name="confirm-password"
          autoComplete="new-password"
          value={confirm}
          onChange={edit(setConfirm, "confirm")}
          error={errors.confirm}
          inputRef={confirmField}
        />
        {errors.form ? (
          <p className="banner banner--error" role="alert">
            {errors.form}
          </p>
        ) : null}
        {done ? (
          <p className="banner banner--success" role="status">
            Password changed. Every other device has been signed out.
          </p>
        ) : null}
        <div className="account-form__actions">
          <button className="button button--primary" type="submit" disabled={saving}>
            {saving ? "Changing password…" : "Change password"}
          </button>
        </div>
      </form>
    </section>
  );
}
