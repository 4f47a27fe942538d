"use client";

import { useCallback } from "react";

import type { Api, Invitation } from "@/api/client";
import { needsRefetch } from "@/api/live-events";

import { useLiveEvent } from "./useLiveEvents";
import { useReloadable } from "./useReloadable";

const NONE = () => Promise.resolve<Invitation[]>([]);

/** `invitations` with `invitation` in it, in place if listed, else first (newest first). */
function withInvitation(invitations: readonly Invitation[], invitation: Invitation): Invitation[] {
  return invitations.some((found) => found.id === invitation.id)
    ? invitations.map((found) => (found.id === invitation.id ? invitation : found))
    : [invitation, ...invitations.filter((found) => found.name !== invitation.name)];
}

/**
 * A list's open invitations (GET /lists/{id}/invitations), for its owners
 * (`enabled`), kept current by the live stream, and cancelling one.
 */
export function useInvitations(api: Api, listId: string, enabled: boolean) {
  const load = useCallback(() => (enabled ? api.listInvitations(listId) : NONE()), [api, listId, enabled]);
  const { value, setValue, status, reload } = useReloadable(load);

  /** A new invitation this client sent: shown at once. */
  const add = useCallback(
    (invitation: Invitation) => { setValue((previous) => withInvitation(previous ?? [], invitation)); },
    [setValue],
  );

  const cancel = useCallback(
    async (invitation: Invitation): Promise<void> => {
      await api.cancelInvitation(listId, invitation.id);
      setValue((previous) => previous?.filter((found) => found.id !== invitation.id) ?? previous);
    },
    [api, listId, setValue],
  );

  useLiveEvent((event) => {
    if (needsRefetch(event)) {
      reload();
      return;
    }
    if (event.type !== "invitation.sent" && event.type !== "invitation.updated" && event.type !== "invitation.closed") {
      return;
    }
    const { invitation } = event;
    if (!enabled || invitation.list_id !== listId) return;
    setValue((previous) => {
      if (previous === null) return previous;
      if (event.type === "invitation.closed") return previous.filter((found) => found.id !== invitation.id);
      return withInvitation(previous, invitation);
    });
  });

  return { status, invitations: value ?? [], add, cancel };
}
