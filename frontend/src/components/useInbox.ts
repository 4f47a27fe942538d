"use client";

import { useCallback } from "react";

import type { Api, Invitation, ListInfo } from "@/api/client";
import { needsRefetch } from "@/api/live-events";
import { sameUserName } from "@/lib/lists";

import { useLiveEvent } from "./useLiveEvents";
import { useReloadable } from "./useReloadable";

/** `invitations` without the one whose id is `id`. */
function without(invitations: Invitation[] | null, id: string): Invitation[] | null {
  return invitations?.filter((invitation) => invitation.id !== id) ?? invitations;
}

/**
 * The caller's open invitations (GET /me/invitations), kept current by the
 * live stream (`invitation.sent` adds one, `invitation.updated` changes its
 * role, `invitation.closed` takes it away), and the answers to them.
 * `userName`: the caller, to tell their own invitations from those they sent.
 */
export function useInbox(api: Api, userName: string | null) {
  const load = useCallback(() => api.inbox(), [api]);
  const { value, setValue, loadError, status, reload } = useReloadable(load);

  useLiveEvent((event) => {
    if (needsRefetch(event)) {
      reload();
      return;
    }
    if (event.type !== "invitation.sent" && event.type !== "invitation.updated" && event.type !== "invitation.closed") {
      return;
    }
    const { invitation } = event;
    // The same events tell a list's owners about its invitations: those are the Share dialog's.
    if (!sameUserName(invitation.name, userName)) return;
    setValue((previous) => {
      if (previous === null) return previous; // the load will have it
      const others = previous.filter((found) => found.id !== invitation.id);
      return event.type === "invitation.closed" ? others : [invitation, ...others];
    });
  });

  const accept = useCallback(
    async (invitation: Invitation): Promise<ListInfo> => {
      const list = await api.acceptInvitation(invitation.id);
      setValue((previous) => without(previous, invitation.id));
      return list;
    },
    [api, setValue],
  );

  const decline = useCallback(
    async (invitation: Invitation): Promise<void> => {
      await api.declineInvitation(invitation.id);
      setValue((previous) => without(previous, invitation.id));
    },
    [api, setValue],
  );

  /** Blocks whoever sent `invitation`: every invitation of theirs leaves the inbox. */
  const block = useCallback(
    async (invitation: Invitation): Promise<void> => {
      await api.blockAccount(invitation.invited_by);
      setValue((previous) => previous?.filter((found) => found.invited_by !== invitation.invited_by) ?? previous);
    },
    [api, setValue],
  );

  return { status, invitations: value ?? [], loadError, reload, accept, decline, block };
}
