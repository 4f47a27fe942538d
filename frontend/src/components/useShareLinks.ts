"use client";

import { useCallback } from "react";

import type { Api, ShareLink, ShareLinkOptions } from "@/api/client";
import { needsRefetch } from "@/api/live-events";

import { useLiveEvent } from "./useLiveEvents";
import { useReloadable } from "./useReloadable";

const NONE = () => Promise.resolve<ShareLink[]>([]);

/** `links` with `link` in it, in place if listed, else first (newest first). */
function withLink(links: readonly ShareLink[], link: ShareLink): ShareLink[] {
  return links.some((found) => found.id === link.id)
    ? links.map((found) => (found.id === link.id ? link : found))
    : [link, ...links];
}

/**
 * A list's share links (GET /lists/{id}/share-links), for its owners
 * (`enabled`), kept current by the live stream (`share_link.*`, and
 * `member.added` for the uses), making one and revoking one.
 */
export function useShareLinks(api: Api, listId: string, enabled: boolean) {
  const load = useCallback(() => (enabled ? api.listShareLinks(listId) : NONE()), [api, listId, enabled]);
  const { value, setValue, status, reload } = useReloadable(load);

  const create = useCallback(
    async (options: ShareLinkOptions) => {
      const created = await api.createShareLink(listId, options);
      const link: ShareLink = {
        id: created.id,
        list_id: created.list_id,
        role: created.role,
        created_by: created.created_by,
        created_at: created.created_at,
        expires_at: created.expires_at,
        max_uses: created.max_uses,
        uses: created.uses,
      }; // never kept: the secret
      setValue((previous) => withLink(previous ?? [], link));
      return created;
    },
    [api, listId, setValue],
  );

  const revoke = useCallback(
    async (link: ShareLink): Promise<void> => {
      await api.revokeShareLink(listId, link.id);
      setValue((previous) => previous?.filter((found) => found.id !== link.id) ?? previous);
    },
    [api, listId, setValue],
  );

  useLiveEvent((event) => {
    if (!enabled) return;
    if (needsRefetch(event) || (event.type === "member.added" && event.list_id === listId)) {
      reload(); // someone may have joined through a link: its uses changed
      return;
    }
    if (event.type !== "share_link.created" && event.type !== "share_link.revoked") return;
    const { link } = event;
    if (link.list_id !== listId) return;
    setValue((previous) => {
      if (previous === null) return previous;
      if (event.type === "share_link.revoked") return previous.filter((found) => found.id !== link.id);
      return withLink(previous, link);
    });
  });

  return { status, links: value ?? [], create, revoke };
}
