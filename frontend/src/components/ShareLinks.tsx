"use client";

import { type SubmitEvent, useId, useState } from "react";

import type { NewShareLink, ShareLink, ShareLinkOptions } from "@/api/client";
import { formatDate } from "@/lib/format";
import { ROLE_LABELS } from "@/lib/roles";
import { joinUrl } from "@/lib/share-link";

type LinkRole = ShareLinkOptions["role"];

const EXPIRY_CHOICES: ReadonlyArray<{ label: string; days: number | null }> = [
  { label: "1 day", days: 1 },
  { label: "7 days", days: 7 },
  { label: "30 days", days: 30 },
  { label: "Never", days: null },
];
const USES_CHOICES: ReadonlyArray<{ label: string; uses: number | null }> = [
  { label: "Any number", uses: null },
  { label: "1 person", uses: 1 },
  { label: "5 people", uses: 5 },
  { label: "25 people", uses: 25 },
];

interface ShareLinksProps {
  links: readonly ShareLink[];
  busy: boolean;
  /** Makes a link: resolves to it, with its secret (shown once), or null when it failed. */
  onCreate: (options: ShareLinkOptions) => Promise<NewShareLink | null>;
  onRevoke: (link: ShareLink) => void;
}

/** What a link's row says: role, uses, expiry (or why it no longer works). */
function describe(link: ShareLink, now: Date): string {
  const parts = [ROLE_LABELS[link.role]];
  if (link.max_uses != null) {
    parts.push(link.uses >= link.max_uses ? "used up" : `${link.uses} of ${link.max_uses} used`);
  } else {
    parts.push(link.uses === 1 ? "used once" : `used ${link.uses} times`);
  }
  if (link.expires_at == null) parts.push("no expiry");
  else if (new Date(link.expires_at) <= now) parts.push("expired");
  else parts.push(`until ${formatDate(link.expires_at)}`);
  return parts.join(" · ");
}

/**
 * The Share dialog's links (owners): make one with a role, an expiry and a
 * number of uses; its URL is shown once, with Copy; the list shows each link
 * without its secret, and Revoke.
 */
export function ShareLinks({ links, busy, onCreate, onRevoke }: ShareLinksProps) {
  const [role, setRole] = useState<LinkRole>("viewer");
  const [expiry, setExpiry] = useState("7 days");
  const [uses, setUses] = useState("Any number");
  const [created, setCreated] = useState<NewShareLink | null>(null);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const roleId = useId();
  const expiryId = useId();
  const usesId = useId();
  const urlId = useId();
  const now = new Date();

  async function handleSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const made = await onCreate({
      role,
      expires_in_days: EXPIRY_CHOICES.find((choice) => choice.label === expiry)?.days ?? null,
      max_uses: USES_CHOICES.find((choice) => choice.label === uses)?.uses ?? null,
    });
    setCopied(null);
    setCreated(made);
  }

  const url = created ? joinUrl(window.location.origin, created.secret) : null;

  async function copy(text: string) {
    try {
      await navigator.clipboard.writeText(text);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  }

  return (
    <section aria-labelledby={`${roleId}-title`}>
      <h3 className="dialog__subtitle" id={`${roleId}-title`}>
        Share links
      </h3>
      <p className="form-field__hint">
        Anyone who opens a link and signs in joins the list. Revoking a link stops it; people who joined stay.
      </p>
      <form className="share-link-form" onSubmit={(event) => void handleSubmit(event)} aria-label="New share link">
        <div className="add-member__field">
          <label className="form-field__label" htmlFor={roleId}>
            Joins as
          </label>
          <select
            id={roleId}
            className="role-select"
            value={role}
            onChange={(event) => {
              setRole(event.target.value === "editor" ? "editor" : "viewer");
            }}
          >
            <option value="viewer">{ROLE_LABELS.viewer}</option>
            <option value="editor">{ROLE_LABELS.editor}</option>
          </select>
        </div>
        <div className="add-member__field">
          <label className="form-field__label" htmlFor={expiryId}>
            Expires after
          </label>
          <select id={expiryId} className="role-select" value={expiry} onChange={(event) => { setExpiry(event.target.value); }}>
            {EXPIRY_CHOICES.map((choice) => (
              <option key={choice.label}>{choice.label}</option>
            ))}
          </select>
        </div>
        <div className="add-member__field">
          <label className="form-field__label" htmlFor={usesId}>
            Uses
          </label>
          <select id={usesId} className="role-select" value={uses} onChange={(event) => { setUses(event.target.value); }}>
            {USES_CHOICES.map((choice) => (
              <option key={choice.label}>{choice.label}</option>
            ))}
          </select>
        </div>
        <button className="button button--primary share-link-form__submit" type="submit" disabled={busy}>
          Create link
        </button>
      </form>
      {created && url ? (
        <div className="banner banner--success share-link-created" role="status">
          <label htmlFor={urlId}>New link: copy it now, it will not be shown again.</label>
          <div className="share-link-created__row">
            <input id={urlId} className="form-field__input" readOnly value={url} onFocus={(event) => { event.target.select(); }} />
            <button className="button" type="button" onClick={() => void copy(url)}>
              {copied === "yes" ? "Copied" : "Copy"}
            </button>
          </div>
          {copied === "failed" ? <p>Could not copy: select the link and copy it by hand.</p> : null}
        </div>
      ) : null}
      {links.length > 0 ? (
        <ul className="member-list" aria-label="Share links">
          {links.map((link) => (
            <li className="member-list__item share-link-row" key={link.id}>
              <span className="member-list__name">
                {describe(link, now)}
                <span className="member-list__pending">
                  {" "}
                  · made {formatDate(link.created_at)}
                  {link.created_by ? ` by ${link.created_by}` : ""}
                </span>
              </span>
              <button
                className="text-button text-button--danger"
                type="button"
                disabled={busy}
                aria-label={`Revoke the ${ROLE_LABELS[link.role].toLowerCase()} link made ${formatDate(link.created_at)}`}
                onClick={() => {
                  if (created?.id === link.id) setCreated(null);
                  onRevoke(link);
                }}
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No share links yet.</p>
      )}
    </section>
  );
}
