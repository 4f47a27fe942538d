"use client";

import { useState } from "react";

import type { Invitation } from "@/api/client";
import { ROLE_LABELS } from "@/lib/roles";
import { api } from "@/lib/session";

import { Dialog } from "./Dialog";
import { useInbox } from "./useInbox";

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : "Something went wrong.";
}

/**
 * The header's "Invitations" button with the number of open invitations
 * (live), and the dialog where each is accepted, declined or its sender
 * blocked, in place.
 */
export function InboxButton({ userName }: { userName: string | null }) {
  const inbox = useInbox(api, userName);
  const [open, setOpen] = useState(false);
  const count = inbox.invitations.length;
  return (
    <>
      {/* Named by its text ("Invitations, open: 2"); on phones the word gives way to an envelope. */}
      <button className="button button--small inbox-button" type="button" onClick={() => { setOpen(true); }}>
        <svg className="inbox-button__icon" aria-hidden="true" viewBox="0 0 24 24" width="18" height="18">
          <rect x="3" y="5.5" width="18" height="13" rx="2" fill="none" stroke="currentColor" strokeWidth="1.8" />
          <path d="m4 7 8 6 8-6" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinejoin="round" />
        </svg>
        <span className="inbox-button__label">Invitations</span>
        {count > 0 ? (
          <span className="inbox-button__count">
            <span className="visually-hidden">, open: </span>
            {count}
          </span>
        ) : null}
      </button>
      {open ? <InboxDialog inbox={inbox} onClose={() => { setOpen(false); }} /> : null}
    </>
  );
}

function InboxDialog({ inbox, onClose }: { inbox: ReturnType<typeof useInbox>; onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function run(action: () => Promise<string>) {
    if (busy) return;
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      setDone(await action());
    } catch (failure) {
      setError(messageOf(failure));
      inbox.reload();
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      title="Invitations"
      description="Lists people invited you to. Accept to join with the role offered; decline, or block someone to stop their invitations (they are not told)."
      onClose={onClose}
    >
      {error ? (
        <p className="banner banner--error" role="alert">
          {error}
        </p>
      ) : null}
      {done ? (
        <p className="banner banner--success" role="status">
          {done}
        </p>
      ) : null}
      {inbox.status === "loading" ? (
        <p className="muted" role="status">
          Loading your invitations…
        </p>
      ) : null}
      {inbox.status === "ready" && inbox.invitations.length === 0 ? <p className="muted">No open invitations.</p> : null}
      <ul className="inbox-list" aria-label="Open invitations">
        {inbox.invitations.map((invitation) => (
          <InvitationRow
            key={invitation.id}
            invitation={invitation}
            busy={busy}
            onAccept={() =>
              void run(async () => {
                const list = await inbox.accept(invitation);
                return `You joined “${list.name}” as ${ROLE_LABELS[list.role].toLowerCase()}.`;
              })
            }
            onDecline={() =>
              void run(async () => {
                await inbox.decline(invitation);
                return `Declined “${invitation.list_name}”.`;
              })
            }
            onBlock={() =>
              void run(async () => {
                await inbox.block(invitation);
                return `Blocked ${invitation.invited_by}: their invitations will not reach you.`;
              })
            }
          />
        ))}
      </ul>
      <div className="dialog__actions">
        <button className="button" type="button" onClick={onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}

interface InvitationRowProps {
  invitation: Invitation;
  busy: boolean;
  onAccept: () => void;
  onDecline: () => void;
  onBlock: () => void;
}

function InvitationRow({ invitation, busy, onAccept, onDecline, onBlock }: InvitationRowProps) {
  const list = `“${invitation.list_name}”`;
  return (
    <li className="inbox-list__item">
      <p className="inbox-list__text">
        <strong>{invitation.invited_by}</strong> invites you to {list} as {ROLE_LABELS[invitation.role].toLowerCase()}.
      </p>
      <div className="inbox-list__actions">
        <button
          className="button button--primary button--small"
          type="button"
          disabled={busy}
          aria-label={`Accept ${list}`}
          onClick={onAccept}
        >
          Accept
        </button>
        <button className="button button--small" type="button" disabled={busy} aria-label={`Decline ${list}`} onClick={onDecline}>
          Decline
        </button>
        <button
          className="text-button text-button--danger"
          type="button"
          disabled={busy}
          aria-label={`Block ${invitation.invited_by}`}
          onClick={onBlock}
        >
          Block
        </button>
      </div>
    </li>
  );
}
