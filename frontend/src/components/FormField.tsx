import { type Ref, useId } from "react";

interface FormFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: "password" | "text";
  name?: string;
  autoComplete?: string;
  /** A short rule shown under the field (e.g. the length limits). */
  hint?: string;
  /** The problem with this field, shown under it and announced. */
  error?: string | null;
  disabled?: boolean;
  inputRef?: Ref<HTMLInputElement>;
}

/**
 * One labelled input with its hint and error, wired for screen readers
 * (aria-describedby, aria-invalid). Used by the account forms.
 */
export function FormField({
  label,
  value,
  onChange,
  type = "text",
  name,
  autoComplete,
  hint,
  error,
  disabled,
  inputRef,
}: FormFieldProps) {
  const inputId = useId();
  const hintId = useId();
  const errorId = useId();
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ");
  return (
    <div className="form-field">
      <label className="form-field__label" htmlFor={inputId}>
        {label}
      </label>
      <input
        ref={inputRef}
        className="form-field__input"
        id={inputId}
        name={name}
        type={type}
        value={value}
        autoComplete={autoComplete}
        autoCapitalize="none"
        spellCheck={false}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        onChange={(event) => {
          onChange(event.target.value);
        }}
      />
      {hint ? (
        <p className="form-field__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={errorId} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
