"use client";

import { useCallback } from "react";

import type { Api } from "@/api/client";
import { ApiError } from "@/api/errors";
import { needsRefetch } from "@/api/live-events";
import { sameUserName, sortLists, upsertList } from "@/lib/lists";

import { useLiveEvent } from "./useLiveEvents";
import { useReloadable } from "./useReloadable";

/** A 403 or 404 means our copy of the list (its role, its existence) is stale. */
function isStale(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 403 || error.status === 404);
}

/**
 * The caller's lists (GET /lists), for the sidebar and for the role of the
 * list on screen, and the changes an owner or member makes to them.
 *
 * `reload()` keeps showing the lists it has while it asks again, so the page
 * does not flash back to "loading" when a 403 makes it refresh a role.
 * Changes throw an ApiError (for the form or dialog to show) and, when the
 * server says the list changed under us (403, 404), reload.
 *
 * Live events keep it current: renamed and deleted lists, the caller's role
 * changed, the caller added to a list or removed from one (`userName`, the
 * caller's own name, tells theirs from other people's member events).
 */
export function useLists(api: Api, userName: string | null = null) {
  const load = useCallback(() => api.lists(), [api]);
  const { value: lists, setValue: setLists, loadError, status, reload } = useReloadable(load);

  /** Runs a change; on a 403 or 404 the lists are reloaded before the error goes on to the caller. */
  const change = useCallback(
    async <T>(action: () => Promise<T>): Promise<T> => {
      try {
        return await action();
      } catch (error) {
        if (isStale(error)) reload();
        throw error;
      }
    },
    [reload],
  );

  const create = useCallback(
    (name: string) =>
      change(async () => {
        const list = await api.createList(name);
        setLists((previous) => upsertList(previous ?? [], list));
        return list;
      }),
    [api, change, setLists],
  );

  const rename = useCallback(
    (listId: string, name: string) =>
      change(async () => {
        const list = await api.renameList(listId, name);
        setLists((previous) => upsertList(previous ?? [], list));
        return list;
      }),
    [api, change, setLists],
  );

  const forget = useCallback((listId: string) => {
    setLists((previous) => previous?.filter((list) => list.id !== listId) ?? previous);
  }, [setLists]);

  useLiveEvent((event) => {
    if (needsRefetch(event)) {
      reload();
      return;
    }
    switch (event.type) {
      case "list.renamed":
        setLists((previous) =>
          previous && sortLists(previous.map((list) => (list.id === event.list_id ? { ...list, name: event.name } : list))),
        );
        break;
      case "list.deleted":
        forget(event.list_id);
        break;
      case "member.added":
        // Shared with the caller (or a list they just created): GET /lists has what the event lacks (created_at).
        if (sameUserName(event.name, userName) && !lists?.some((list) => list.id === event.list_id)) reload();
        break;
      case "member.updated":
        if (sameUserName(event.name, userName)) {
          setLists((previous) =>
            previous?.map((list) => (list.id === event.list_id ? { ...list, role: event.role } : list)) ?? previous,
          );
        }
        break;
      case "member.removed":
        if (sameUserName(event.name, userName)) forget(event.list_id);
        break;
      default:
      // Todo events are for the todo hooks.
    }
  });

  /** Deletes a list and its todos (owners). */
  const remove = useCallback(
    (listId: string) =>
      change(async () => {
        await api.deleteList(listId);
        forget(listId);
      }),
    [api, change, forget],
  );

  /** Leaves a shared list: the caller removes themselves from its members. */
  const leave = useCallback(
    (listId: string, userName: string) =>
      change(async () => {
        await api.removeMember(listId, userName);
        forget(listId);
      }),
    [api, change, forget],
  );

  return { status, lists: lists ?? [], loadError, reload, create, rename, remove, leave };
}

export type Lists = ReturnType<typeof useLists>;
