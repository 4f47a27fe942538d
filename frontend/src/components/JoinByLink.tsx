"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

import { ApiError } from "@/api/errors";
import { ROLE_LABELS } from "@/lib/roles";
import { api } from "@/lib/session";
import { forgetSecret, takeSecret } from "@/lib/share-link";

type State =
  | { kind: "reading" }
  | { kind: "no-link" }
  | { kind: "ready"; secret: string }
  | { kind: "joining"; secret: string }
  | { kind: "failed"; secret: string | null; message: string };

const BACK_HERE = encodeURIComponent("/join");

/**
 * Joins a list through a share link in one click. The secret comes out of the
 * address bar first thing (`takeSecret`); a signed-out visitor logs in or
 * signs up and lands back here, the secret kept in this tab meanwhile.
 */
export function JoinByLink({ signedIn }: { signedIn: boolean }) {
  const router = useRouter();
  const [state, setState] = useState<State>({ kind: "reading" });

  useEffect(() => {
    const secret = takeSecret();
    // The fragment is only readable here, after the page loaded: one state change.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setState(secret ? { kind: "ready", secret } : { kind: "no-link" });
  }, []);

  async function join(secret: string) {
    setState({ kind: "joining", secret });
    try {
      const joined = await api.joinShareLink(secret);
      forgetSecret();
      // A member already (`already_member`): nothing changed, the list opens all the same.
      router.push(`/lists/${encodeURIComponent(joined.list.id)}`);
    } catch (failure) {
      const message = failure instanceof Error ? failure.message : "Something went wrong.";
      const worthRetrying = failure instanceof ApiError && failure.status === 429;
      if (!worthRetrying) forgetSecret();
      setState({ kind: "failed", secret: worthRetrying ? secret : null, message });
    }
  }

  return (
    <section className="card join-card" aria-labelledby="join-title">
      <h1 id="join-title" className="page__title">
        Join a list
      </h1>
      {state.kind === "reading" ? (
        <p className="muted" role="status">
          Reading the link…
        </p>
      ) : null}
      {state.kind === "no-link" ? (
        <p>
          This page joins a list through a share link. Open the whole link you were given (it ends with{" "}
          <code>#</code> and a long code).
        </p>
      ) : null}
      {state.kind === "failed" ? (
        <p className="banner banner--error" role="alert">
          {state.message}
        </p>
      ) : null}
      {(state.kind === "ready" || state.kind === "joining") && signedIn ? (
        <>
          <p>
            You were given a link to a list. Join it to see its todos; the link decides your role ({ROLE_LABELS.viewer.toLowerCase()} or{" "}
            {ROLE_LABELS.editor.toLowerCase()}).
          </p>
          <div className="join-card__actions">
            <button
              className="button button--primary"
              type="button"
              disabled={state.kind === "joining"}
              onClick={() => void join(state.secret)}
            >
              {state.kind === "joining" ? "Joining…" : "Join list"}
            </button>
            <Link className="button" href="/">
              Not now
            </Link>
          </div>
        </>
      ) : null}
      {state.kind === "failed" && state.secret && signedIn ? (
        <div className="join-card__actions">
          <button className="button" type="button" onClick={() => void join(state.secret ?? "")}>
            Try again
          </button>
        </div>
      ) : null}
      {state.kind === "ready" && !signedIn ? (
        <>
          <p>You were given a link to a list. Log in or sign up to join it: you will come back here.</p>
          <div className="join-card__actions">
            <Link className="button button--primary" href={`/login?next=${BACK_HERE}`}>
              Log in to join
            </Link>
            <Link className="button" href={`/signup?next=${BACK_HERE}`}>
              Sign up
            </Link>
          </div>
        </>
      ) : null}
      {state.kind === "failed" || state.kind === "no-link" ? (
        <p>
          <Link href="/">Go to your lists</Link>
        </p>
      ) : null}
    </section>
  );
}
