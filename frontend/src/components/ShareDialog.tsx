"use client";

import { type SubmitEvent, useId, useState } from "react";

import type { Invitation, ListInfo, Member, NewShareLink, Role, Shared, ShareLink, ShareLinkOptions } from "@/api/client";
import { ApiError } from "@/api/errors";
import { sameUserName } from "@/lib/lists";
import { canManageList, ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES } from "@/lib/roles";
import { api } from "@/lib/session";
import { validateMemberName } from "@/lib/validation";

import { Dialog } from "./Dialog";
import { ShareLinks } from "./ShareLinks";
import { useInvitations } from "./useInvitations";
import { useMembers } from "./useMembers";
import { useShareLinks } from "./useShareLinks";

interface ShareDialogProps {
  list: ListInfo;
  /** The logged-in user, to tell "you" apart in the members. */
  userName: string | null;
  /** Leaves the list (and its page); rejects with an Error whose message is shown. */
  onLeave: () => Promise<void>;
  /** The caller's own role changed, or a 403/404 says it did: reload it. */
  onAccessChanged: () => void;
  onClose: () => void;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : "Something went wrong.";
}

/**
 * Who is in a shared list. An owner invites people by user name with a role
 * (they join once they accept), sees and cancels the invitations not yet
 * answered, makes and revokes share links, changes roles and removes people;
 * every member sees the members and may leave. Errors stay in the dialog, in words for people.
 */
export function ShareDialog({ list, userName, onLeave, onAccessChanged, onClose }: ShareDialogProps) {
  const members = useMembers(api, list.id);
  const isOwner = canManageList(list.role);
  const invitations = useInvitations(api, list.id, isOwner);
  const shareLinks = useShareLinks(api, list.id, isOwner && !list.personal);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  /** Runs one change, showing its outcome; a 403/404 means our role is stale. */
  async function run(action: () => Promise<string | null>): Promise<boolean> {
    if (busy) return false;
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      setDone(await action());
      return true;
    } catch (failure) {
      setError(messageOf(failure));
      if (failure instanceof ApiError && (failure.status === 403 || failure.status === 404)) onAccessChanged();
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function changeRole(member: Member, role: Role) {
    await run(async () => {
      const saved = await members.setRole(member.name, role);
      if (sameUserName(saved.name, userName)) onAccessChanged();
      return `${saved.name} is now ${ROLE_LABELS[saved.role].toLowerCase()}.`;
    });
  }

  async function removeMember(member: Member) {
    await run(async () => {
      await members.remove(member.name);
      return `${member.name} no longer has access.`;
    });
  }

  async function share(name: string, role: Role): Promise<string> {
    const shared: Shared = await api.share(list.id, name, role);
    if (shared.invitation) {
      invitations.add(shared.invitation);
      const offered = ROLE_LABELS[shared.invitation.role].toLowerCase();
      return `Invited ${shared.invitation.name} as ${offered}: they join once they accept.`;
    }
    members.setMember(shared.member);
    return `${shared.member.name} is now ${ROLE_LABELS[shared.member.role].toLowerCase()}.`;
  }

  async function cancelInvitation(invitation: Invitation) {
    await run(async () => {
      await invitations.cancel(invitation);
      return `The invitation to ${invitation.name} is cancelled.`;
    });
  }

  async function createLink(options: ShareLinkOptions): Promise<NewShareLink | null> {
    let made: NewShareLink | null = null;
    await run(async () => {
      made = await shareLinks.create(options);
      return null; // the link itself, shown once, says it
    });
    return made;
  }

  async function revokeLink(link: ShareLink) {
    await run(async () => {
      await shareLinks.revoke(link);
      return "The link is revoked: it joins nobody from now on. People who joined through it stay.";
    });
  }

  async function leave() {
    await run(async () => {
      await onLeave();
      return null; // the page is left: nothing to say here
    });
  }

  return (
    <Dialog
      title={isOwner ? `Share “${list.name}”` : `Members of “${list.name}”`}
      description={
        isOwner
          ? "Invite people by their user name: they join once they accept. Viewers see the todos, editors can also change them, owners can also share, rename and delete the list."
          : "Only an owner can add people or change their roles."
      }
      onClose={onClose}
    >
      {isOwner ? <AddMemberForm busy={busy} onAdd={(name, role) => run(() => share(name, role))} /> : null}
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
      <h3 className="dialog__subtitle">People with access</h3>
      {members.status === "loading" ? (
        <p className="muted" role="status">
          Loading the members…
        </p>
      ) : null}
      {members.status === "error" ? (
        <p className="banner banner--error" role="alert">
          {members.loadError}{" "}
          <button className="text-button" type="button" onClick={members.reload}>
            Try again
          </button>
        </p>
      ) : null}
      <ul className="member-list" aria-label="Members">
        {members.members.map((member) => (
          <MemberRow
            key={member.name}
            member={member}
            isYou={sameUserName(member.name, userName)}
            editable={isOwner}
            busy={busy}
            onChangeRole={(role) => void changeRole(member, role)}
            onRemove={() => void removeMember(member)}
          />
        ))}
      </ul>
      {isOwner && invitations.invitations.length > 0 ? (
        <>
          <h3 className="dialog__subtitle">Invited, not answered yet</h3>
          <ul className="member-list" aria-label="Pending invitations">
            {invitations.invitations.map((invitation) => (
              <li className="member-list__item" key={invitation.id}>
                <span className="member-list__name">{invitation.name}</span>
                <span className="member-list__pending">{ROLE_LABELS[invitation.role]}</span>
                <button
                  className="text-button text-button--danger"
                  type="button"
                  disabled={busy}
                  aria-label={`Cancel the invitation to ${invitation.name}`}
                  onClick={() => void cancelInvitation(invitation)}
                >
                  Cancel
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {isOwner && !list.personal ? (
        <ShareLinks
          links={shareLinks.links}
          busy={busy}
          onCreate={createLink}
          onRevoke={(link) => void revokeLink(link)}
        />
      ) : null}
      <div className="dialog__actions dialog__actions--split">
        <button
          className="button button--danger"
          type="button"
          disabled={busy || !userName}
          onClick={() => void leave()}
        >
          Leave list
        </button>
        <button className="button" type="button" onClick={onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}

interface MemberRowProps {
  member: Member;
  isYou: boolean;
  /** An owner's view: a role picker and Remove. */
  editable: boolean;
  busy: boolean;
  onChangeRole: (role: Role) => void;
  onRemove: () => void;
}

function MemberRow({ member, isYou, editable, busy, onChangeRole, onRemove }: MemberRowProps) {
  const label = isYou ? `${member.name} (you)` : member.name;
  return (
    <li className="member-list__item">
      <span className="member-list__name">{label}</span>
      {editable ? (
        <>
          <RoleSelect
            label={`Role of ${member.name}`}
            value={member.role}
            disabled={busy}
            onChange={onChangeRole}
          />
          {isYou ? (
            // Owners leave with "Leave list", like everyone else.
            <span aria-hidden="true" />
          ) : (
            <button
              className="text-button text-button--danger"
              type="button"
              disabled={busy}
              aria-label={`Remove ${member.name}`}
              onClick={onRemove}
            >
              Remove
            </button>
          )}
        </>
      ) : (
        <span className="member-list__role">{ROLE_LABELS[member.role]}</span>
      )}
    </li>
  );
}

interface RoleSelectProps {
  value: Role;
  onChange: (role: Role) => void;
  disabled?: boolean;
  /** The accessible name, when no <label htmlFor={id}> gives one. */
  label?: string;
  id?: string;
  describedBy?: string;
}

function RoleSelect({ value, onChange, disabled, label, id, describedBy }: RoleSelectProps) {
  return (
    <select
      id={id}
      className="role-select"
      aria-label={label}
      aria-describedby={describedBy}
      value={value}
      disabled={disabled}
      onChange={(event) => {
        const role = ROLES.find((r) => r === event.target.value);
        if (role) onChange(role);
      }}
    >
      {ROLES.map((role) => (
        <option key={role} value={role}>
          {ROLE_LABELS[role]}
        </option>
      ))}
    </select>
  );
}

interface AddMemberFormProps {
  busy: boolean;
  /** Adds the person; resolves to true when it worked (the field is then cleared). */
  onAdd: (name: string, role: Role) => Promise<boolean>;
}

/** "User name" + role + Share. Viewer is the default: the least a new member can do. */
function AddMemberForm({ busy, onAdd }: AddMemberFormProps) {
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [nameError, setNameError] = useState<string | null>(null);
  const nameId = useId();
  const roleId = useId();
  const errorId = useId();
  const hintId = useId();

  async function handleSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const checked = validateMemberName(name);
    if (!checked.ok) {
      setNameError(checked.message);
      return;
    }
    if (await onAdd(checked.value, role)) setName("");
  }

  return (
    <form className="add-member" onSubmit={(event) => void handleSubmit(event)} noValidate>
      <div className="add-member__field">
        <label className="form-field__label" htmlFor={nameId}>
          User name
        </label>
        <input
          id={nameId}
          className="form-field__input"
          value={name}
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          aria-invalid={nameError ? true : undefined}
          aria-describedby={nameError ? errorId : undefined}
          onChange={(event) => {
            setName(event.target.value);
            setNameError(null);
          }}
        />
      </div>
      <div className="add-member__field">
        <label className="form-field__label" htmlFor={roleId}>
          Role
        </label>
        <RoleSelect id={roleId} value={role} onChange={setRole} describedBy={hintId} />
      </div>
      <button className="button button--primary add-member__submit" type="submit" disabled={busy}>
        Share
      </button>
      <p className="form-field__hint add-member__hint" id={hintId}>
        {ROLE_LABELS[role]}: {ROLE_DESCRIPTIONS[role]}.
      </p>
      {nameError ? (
        <p className="field-error add-member__error" id={errorId} role="alert">
          {nameError}
        </p>
      ) : null}
    </form>
  );
}
