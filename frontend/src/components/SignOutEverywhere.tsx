"use client";

import { useState } from "react";

interface SignOutEverywhereProps {
  /** Ends every session (this one too) and leaves the page; rejects with an Error to show. */
  onSignOutEverywhere: () => Promise<void>;
}

/** Ends every session of the account, e.g. after losing a phone or using a shared computer. */
export function SignOutEverywhere({ onSignOutEverywhere }: SignOutEverywhereProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function signOut() {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await onSignOutEverywhere();
      // On success the page is left for the login page; stay busy until then.
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "Could not sign out everywhere.");
      setBusy(false);
    }
  }

  return (
    <section className="card account-section" aria-labelledby="sign-out-everywhere-title">
      <h2 id="sign-out-everywhere-title" className="account-section__title">
        Sign out everywhere
      </h2>
      <p className="account-section__text">
        Lost a device, or signed in on a shared computer? This ends every session of your account, on every
        device and in every browser, including this one. You can log in again right away.
      </p>
      {error ? (
        <p className="banner banner--error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="account-form__actions">
        <button className="button" type="button" disabled={busy} aria-busy={busy} onClick={() => void signOut()}>
          {busy ? "Signing out…" : "Sign out everywhere"}
        </button>
      </div>
    </section>
  );
}
