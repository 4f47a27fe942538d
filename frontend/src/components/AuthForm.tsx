"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { type SubmitEvent, useId, useState } from "react";

import { LOGIN_MESSAGES, loginReasonFrom, safeNextPath } from "@/lib/auth-redirect";
import { api } from "@/lib/session";
import { tokenStore } from "@/lib/token-store";
import { validateSignup } from "@/lib/validation";

interface AuthFormProps {
  mode: "login" | "signup";
  /** The `?next=` query parameter: where to go after logging in. */
  next: string | null;
  /** The `?reason=` query parameter: why the user is here (expired, …). */
  reason: string | null;
}

/**
 * The log-in and sign-up form. Both end logged in and on `?next=` (the page
 * the user was on when their session ended), or on the list.
 */
export function AuthForm({ mode, ...query }: AuthFormProps) {
  const router = useRouter();
  const next = safeNextPath(query.next);
  const reason = loginReasonFrom(query.reason);
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const nameId = useId();
  const passwordId = useId();
  const errorId = useId();
  const isLogin = mode === "login";

  async function handleSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    if (!isLogin) {
      const checked = validateSignup(name, password);
      if (!checked.ok) {
        setError(checked.message);
        return;
      }
    } else if (!name || !password) {
      setError("Enter your username and password.");
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      if (!isLogin) await api.signup(name, password);
      tokenStore.set(await api.login(name, password));
      router.replace(next);
    } catch (failure) {
      // The fields keep their values so the user can correct and resend.
      setError(failure instanceof Error ? failure.message : "Something went wrong.");
      setSubmitting(false);
    }
  }

  // The link to the other form keeps `next`, so signing up also returns there.
  const otherPage = isLogin ? "/signup" : "/login";
  const otherHref = next === "/" ? otherPage : `${otherPage}?next=${encodeURIComponent(next)}`;

  return (
    <section className="card auth-card" aria-labelledby="auth-title">
      <h1 id="auth-title" className="auth-card__title">
        {isLogin ? "Log in" : "Create your account"}
      </h1>
      <p className="auth-card__subtitle">
        {isLogin ? "Welcome back. Your todos are waiting." : "Pick a username and a password of 8 characters or more."}
      </p>
      {isLogin && reason ? (
        <p className={reason === "expired" ? "banner banner--warning" : "banner banner--info"} role="status">
          {LOGIN_MESSAGES[reason]}
        </p>
      ) : null}
      <form className="auth-form" onSubmit={(event) => void handleSubmit(event)} noValidate>
        <label htmlFor={nameId}>Username</label>
        <input
          id={nameId}
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          value={name}
          aria-describedby={error ? errorId : undefined}
          onChange={(event) => {
            setName(event.target.value);
          }}
        />
        <label htmlFor={passwordId}>Password</label>
        <input
          id={passwordId}
          name="password"
          type="password"
          autoComplete={isLogin ? "current-password" : "new-password"}
          value={password}
          aria-describedby={error ? errorId : undefined}
          onChange={(event) => {
            setPassword(event.target.value);
          }}
        />
        {error ? (
          <p className="field-error" id={errorId} role="alert">
            {error}
          </p>
        ) : null}
        <button className="button button--primary button--block" type="submit" disabled={submitting}>
          {isLogin ? "Log in" : "Sign up"}
        </button>
      </form>
      <p className="auth-card__switch">
        {isLogin ? "New here? " : "Already have an account? "}
        <Link href={otherHref}>{isLogin ? "Create an account" : "Log in instead"}</Link>
      </p>
    </section>
  );
}
