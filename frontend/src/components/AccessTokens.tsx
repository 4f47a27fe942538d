"use client";

import { type SubmitEvent, useCallback, useState } from "react";

import type { AccessToken, CreatedToken, ListInfo, NewToken } from "@/api/client";
import { formatDate } from "@/lib/format";

import { FormField } from "./FormField";
import { OneTimeSecret } from "./OneTimeSecret";
import { useReloadable } from "./useReloadable";

const EXPIRIES = [7, 30, 90, 366] as const;

interface AccessTokensProps {
  /** The lists a token may be limited to. */
  lists: Pick<ListInfo, "id" | "name">[];
  listTokens: () => Promise<AccessToken[]>;
  createToken: (token: NewToken) => Promise<CreatedToken>;
  revokeToken: (tokenId: string) => Promise<void>;
}

function message(failure: unknown, fallback: string): string {
  return failure instanceof Error ? failure.message : fallback;
}

/** What a token may do, in words. */
export function scopeText(token: Pick<AccessToken, "access" | "list_ids">, lists: AccessTokensProps["lists"]): string {
  const access = token.access === "read-write" ? "Read and write" : "Read only";
  if (token.list_ids === null) return `${access}, all lists`;
  const names = token.list_ids.map((id) => lists.find((found) => found.id === id)?.name ?? "a list");
  return `${access}, ${names.length ? names.join(", ") : "no lists left"}`;
}

/**
 * Personal access tokens, for scripts and notebooks: create one (its secret is
 * shown once, with a copy button), see when each was last used, revoke one.
 */
export function AccessTokens({ lists, listTokens, createToken, revokeToken }: AccessTokensProps) {
  // Whether each has expired is decided as it loads: rendering stays pure.
  const load = useCallback(async () => {
    const found = await listTokens();
    const now = Date.now();
    return found.map((token) => ({ ...token, expired: Date.parse(token.expires_at) <= now }));
  }, [listTokens]);
  const { value: tokens, loadError, reload } = useReloadable(load);
  const [name, setName] = useState("");
  const [access, setAccess] = useState<NewToken["access"]>("read");
  const [allLists, setAllLists] = useState(true);
  const [chosen, setChosen] = useState<string[]>([]);
  const [days, setDays] = useState<number>(30);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function create(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const token = await createToken({
        name: name.trim(),
        access,
        list_ids: allLists ? null : chosen,
        expires_in_days: days,
      });
      setCreated(token);
      setName("");
      reload();
    } catch (failure) {
      setError(message(failure, "Could not create the token."));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(token: AccessToken) {
    setError(null);
    try {
      await revokeToken(token.id);
      if (created?.id === token.id) setCreated(null);
      reload();
    } catch (failure) {
      setError(message(failure, "Could not revoke the token."));
    }
  }

  return (
    <section className="card account-section" aria-labelledby="tokens-title">
      <h2 id="tokens-title" className="account-section__title">
        Personal access tokens
      </h2>
      <p className="account-section__text">
        For scripts and notebooks: send a token as <code>Authorization: Bearer …</code>. A token can only read
        or change todos and lists within its scope; it cannot manage tokens, your password or your account.
      </p>
      {error || loadError ? (
        <p className="banner banner--error" role="alert">
          {error ?? loadError}
        </p>
      ) : null}
      {created ? (
        <OneTimeSecret
          key={created.id}
          label="Token secret"
          secret={created.secret}
          onCopyFailed={() => {
            setError("Could not copy: select the token and copy it by hand.");
          }}
        >
          Token <strong>{created.name}</strong> created. Copy it now: it will not be shown again.
        </OneTimeSecret>
      ) : null}
      <form className="account-form" onSubmit={(event) => void create(event)} aria-label="New token">
        <FormField label="Name" value={name} onChange={setName} hint="What it is for, e.g. backup script." />
        <label className="form-field">
          <span className="form-field__label">Access</span>
          <select value={access} onChange={(event) => { setAccess(event.target.value as NewToken["access"]); }}>
            <option value="read">Read only</option>
            <option value="read-write">Read and write</option>
          </select>
        </label>
        <fieldset className="form-field">
          <legend className="form-field__label">Lists</legend>
          <label>
            <input type="checkbox" checked={allLists} onChange={(event) => { setAllLists(event.target.checked); }} /> All
            my lists, now and later
          </label>
          {allLists
            ? null
            : lists.map((list) => (
                <label key={list.id}>
                  <input
                    type="checkbox"
                    checked={chosen.includes(list.id)}
                    onChange={(event) => { setChosen((ids) => (event.target.checked ? [...ids, list.id] : ids.filter((id) => id !== list.id))); }
                    }
                  />{" "}
                  {list.name}
                </label>
              ))}
        </fieldset>
        <label className="form-field">
          <span className="form-field__label">Expires in</span>
          <select value={days} onChange={(event) => { setDays(Number(event.target.value)); }}>
            {EXPIRIES.map((count) => (
              <option key={count} value={count}>
                {count} days
              </option>
            ))}
          </select>
        </label>
        <div className="account-form__actions">
          <button
            className="button"
            type="submit"
            disabled={busy || name.trim() === "" || (!allLists && chosen.length === 0)}
          >
            {busy ? "Creating…" : "Create token"}
          </button>
        </div>
      </form>
      {tokens === null ? null : tokens.length === 0 ? (
        <p className="account-section__text">No tokens yet.</p>
      ) : (
        <ul className="token-list" aria-label="Your tokens">
          {tokens.map((token) => (
            <li key={token.id}>
              <strong>{token.name}</strong> <code>{token.hint}…</code> — {scopeText(token, lists)};{" "}
              {token.expired ? "expired" : `expires ${formatDate(token.expires_at)}`};{" "}
              {token.last_used_at ? `last used ${formatDate(token.last_used_at)}` : "never used"}{" "}
              <button className="button" type="button" onClick={() => void revoke(token)}>
                Revoke <span className="visually-hidden">{token.name}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
