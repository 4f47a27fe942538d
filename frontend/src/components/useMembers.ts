"use client";

import { useCallback } from "react";

import type { Api, Member, Role } from "@/api/client";
import { needsRefetch } from "@/api/live-events";
import { sameUserName } from "@/lib/lists";

import { useLiveEvent } from "./useLiveEvents";
import { useReloadable } from "./useReloadable";

/** `members` with `member` in it: someone already listed keeps their place, a newcomer goes last. */
function withMember(members: readonly Member[], member: Member): Member[] {
  return members.some((m) => sameUserName(m.name, member.name))
    ? members.map((m) => (sameUserName(m.name, member.name) ? member : m))
    : [...members, member];
}

/**
 * The members of one list (GET /lists/{id}/members) and the owner's changes
 * to them. Changes update the loaded members from the server's answer and
 * throw an ApiError for the dialog to show; changes made elsewhere arrive as
 * live events.
 */
export function useMembers(api: Api, listId: string) {
  const load = useCallback(() => api.members(listId), [api, listId]);
  const { value: members, setValue: setMembers, loadError, status, reload } = useReloadable(load);

  /** Adds someone, or changes their role. Resolves to the member as the server spells their name. */
  const setRole = useCallback(
    async (name: string, role: Role): Promise<Member> => {
      const member = await api.setMemberRole(listId, name, role);
      setMembers((previous) => withMember(previous ?? [], member));
      return member;
    },
    [api, listId, setMembers],
  );

  /** A member the server confirmed (a role changed by `api.share`). */
  const setMember = useCallback(
    (member: Member) => { setMembers((previous) => withMember(previous ?? [], member)); },
    [setMembers],
  );

  const remove = useCallback(
    async (name: string): Promise<void> => {
      await api.removeMember(listId, name);
      setMembers((previous) => previous?.filter((m) => m.name !== name) ?? previous);
    },
    [api, listId, setMembers],
  );

  useLiveEvent((event) => {
    if (needsRefetch(event)) {
      reload();
      return;
    }
    switch (event.type) {
      case "member.added":
      case "member.updated": {
        if (event.list_id !== listId) return;
        const member = { name: event.name, role: event.role };
        // Before the first load there is nothing to add to: the load will have them.
        setMembers((previous) => previous && withMember(previous, member));
        break;
      }
      case "member.removed":
        if (event.list_id !== listId) return;
        setMembers((previous) => previous?.filter((m) => !sameUserName(m.name, event.name)) ?? previous);
        break;
      default:
      // Other lists' members, and todo events, are not this dialog's business.
    }
  });

  return { status, members: members ?? [], loadError, reload, setRole, setMember, remove };
}
