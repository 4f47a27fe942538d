"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { type SubmitEvent, useEffect, useId, useRef, useState, useSyncExternalStore } from "react";

import { ApiError } from "@/api/errors";
import { LOGIN_MESSAGES, loginReasonFrom, safeNextPath } from "@/lib/auth-redirect";
import { api } from "@/lib/session";
import { forgetLegacyToken, sessionStore } from "@/lib/session-store";
import { validateSignup } from "@/lib/validation";

interface AuthFormProps {
  mode: "login" | "signup";
  /** The `?next=` query parameter: where to go after logging in. */
  next: string | null;
  /** The `?reason=` query parameter: why the user is here (expired, …). */
  reason: string | null;
}

type AuthField = "name" | "password";

const noChanges = () => () => undefined;

export const LEGACY_SESSION_MESSAGE =
  "This app now keeps your session where no script in the page can read it. Log in once more to continue.";

/** What went wrong, and which fields it is about (marked aria-invalid; the first one gets focus). */
interface AuthProblem {
  message: string;
  fields: readonly AuthField[];
}

/**
 * The log-in and sign-up form. Both end logged in and on `?next=` (the page
 * the user was on when their session ended), or on the list. A visitor who is
 * already logged in goes there at once.
 */
export function AuthForm({ mode, ...query }: AuthFormProps) {
  const router = useRouter();
  const next = safeNextPath(query.next);
  const reason = loginReasonFrom(query.reason);
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<AuthProblem | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const nameId = useId();
  const passwordId = useId();
  const errorId = useId();
  const isLogin = mode === "login";

  // A tab that last ran an earlier version kept its token in localStorage:
  // it is deleted (docs/security.md), and the page says why a log-in is asked.
  const legacyTokenForgotten = useSyncExternalStore(noChanges, forgetLegacyToken, () => false);

  // Logged in in another tab: this form has nothing to do. (A page loaded
  // with a session cookie never shows it: src/proxy.ts sends it on.)
  useEffect(
    () =>
      sessionStore.subscribe(() => {
        if (sessionStore.get() !== null) {
          // Pages fetched before the log-in (prefetches) were redirects to this page: drop them.
          router.refresh();
          router.replace(next);
        }
      }),
    [next, router],
  );

  /** Shows the problem and puts the cursor in the first field it is about. */
  function fail(message: string, fields: readonly AuthField[]) {
    setProblem({ message, fields });
    const first = fields[0];
    if (first) (first === "name" ? nameRef : passwordRef).current?.focus();
  }

  async function handleSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    if (!isLogin) {
      const checked = validateSignup(name, password);
      if (!checked.ok) {
        fail(checked.message, [checked.field]);
        return;
      }
    } else if (!name || !password) {
      fail("Enter your username and password.", name ? ["password"] : ["name"]);
      return;
    }
    setSubmitting(true);
    setProblem(null);
    try {
      if (!isLogin) await api.signup(name, password);
      await api.login(name, password);
      // Moves on to `next` (the subscription above), past any prefetched redirect.
      sessionStore.signedIn();
    } catch (failure) {
      // The fields keep their values so the user can correct and resend. A wrong
      // password is not told apart from an unknown name, so both are marked.
      const status = failure instanceof ApiError ? failure.status : 0;
      const fields: AuthField[] = status === 401 ? ["name", "password"] : status === 409 ? ["name"] : [];
      setSubmitting(false);
      fail(failure instanceof Error ? failure.message : "Something went wrong.", fields);
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
      {isLogin && legacyTokenForgotten && !reason ? (
        <p className="banner banner--info" role="status">
          {LEGACY_SESSION_MESSAGE}
        </p>
      ) : null}
      <form className="auth-form" onSubmit={(event) => void handleSubmit(event)} noValidate>
        <label htmlFor={nameId}>Username</label>
        <input
          ref={nameRef}
          id={nameId}
          name="username"
          autoFocus
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          value={name}
          aria-invalid={problem?.fields.includes("name") || undefined}
          aria-describedby={problem ? errorId : undefined}
          onChange={(event) => {
            setName(event.target.value);
          }}
        />
        <label htmlFor={passwordId}>Password</label>
        <input
          ref={passwordRef}
          id={passwordId}
          name="password"
          type="password"
          autoComplete={isLogin ? "current-password" : "new-password"}
          value={password}
          aria-invalid={problem?.fields.includes("password") || undefined}
          aria-describedby={problem ? errorId : undefined}
          onChange={(event) => {
            setPassword(event.target.value);
          }}
        />
        {problem ? (
          <p className="field-error" id={errorId} role="alert">
            {problem.message}
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
