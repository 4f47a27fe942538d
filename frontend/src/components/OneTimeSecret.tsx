"use client";

import { useState, type ReactNode } from "react";

type OneTimeSecretProps = {
  /** The secret's accessible name, e.g. "Token secret". */
  label: string;
  secret: string;
  /** The sentence above it: what it is, and that it will not be shown again. */
  children: ReactNode;
  /** The clipboard refused: the section says so where it shows its errors. */
  onCopyFailed: () => void;
  className?: string;
};

/**
 * A secret the server shows once (a personal access token, a webhook's signing
 * secret), with a Copy button: one component, so every one-time secret reads and
 * behaves alike. Give it a `key` per secret, so a new one starts un-copied.
 */
export function OneTimeSecret({ label, secret, children, onCopyFailed, className }: OneTimeSecretProps) {
  const [copied, setCopied] = useState(false);

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      onCopyFailed();
    }
  }

  return (
    <div className={className ? `banner banner--success ${className}` : "banner banner--success"} role="status">
      <p>{children}</p>
      <p>
        <code aria-label={label}>{secret}</code>{" "}
        <button className="button" type="button" onClick={() => void copy()}>
          {copied ? "Copied" : "Copy"}
        </button>
      </p>
    </div>
  );
}
