"use client";

import { useCallback } from "react";

import type { Api, Member, Role } from "@/api/client";

import { useReloadable } from "./useReloadable";

/**
 * The members of one list (GET /lists/{id}/members) and the owner's changes
 * to them. Changes update the loaded members from the server's answer and
 * throw an ApiError for the dialog to show.
 */
export function useMembers(api: Api, listId: string) {
  const load = useCallback(() => api.members(listId), [api, listId]);
  const { value: members, setValue: setMembers, loadError, status, reload } = useReloadable(load);

  /** Adds someone, or changes their role. Resolves to the member as the server spells their name. */
  const setRole = useCallback(
    async (name: string, role: Role): Promise<Member> => {
      const member = await api.setMemberRole(listId, name, role);
      setMembers((previous) => {
        const current = previous ?? [];
        // Someone already listed keeps their place; a newcomer goes last.
        return current.some((m) => m.name === member.name)
          ? current.map((m) => (m.name === member.name ? member : m))
          : [...current, member];
      });
      return member;
    },
    [api, listId, setMembers],
  );

  const remove = useCallback(
    async (name: string): Promise<void> => {
      await api.removeMember(listId, name);
      setMembers((previous) => previous?.filter((m) => m.name !== name) ?? previous);
    },
    [api, listId, setMembers],
  );

  return { status, members: members ?? [], loadError, reload, setRole, remove };
}
