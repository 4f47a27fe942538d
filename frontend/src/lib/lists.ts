/**
 * Lists in the URL and in the sidebar, as plain functions (unit-tested).
 *
 * Every list has the page `/lists/<id>`. The personal list is also `/`, the
 * home page, and that is where the sidebar links it: a user's own todos keep
 * the address they always had.
 */

interface ListLike {
  id: string;
  name: string;
  personal: boolean;
}

/** Where the sidebar links a list. */
export function listHref(list: ListLike): string {
  return list.personal ? "/" : `/lists/${encodeURIComponent(list.id)}`;
}

/**
 * The list a page shows: the one with `listId` (from `/lists/<id>`), or the
 * personal list on `/` (`listId` null). Undefined when the caller has no such
 * list (it does not exist, or they are not a member).
 */
export function findShownList<T extends ListLike>(lists: readonly T[], listId: string | null): T | undefined {
  return lists.find((list) => (listId === null ? list.personal : list.id === listId));
}

/** The order of GET /lists: the personal list first, then by name (then id, so ties are stable). */
export function sortLists<T extends ListLike>(lists: readonly T[]): T[] {
  return [...lists].sort((a, b) => {
    if (a.personal !== b.personal) return a.personal ? -1 : 1;
    const byName = a.name.localeCompare(b.name, undefined, { sensitivity: "base" });
    if (byName !== 0) return byName;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

/** Puts a created or renamed list in its place (replacing the old copy). */
export function upsertList<T extends ListLike>(lists: readonly T[], list: T): T[] {
  return sortLists([...lists.filter((l) => l.id !== list.id), list]);
}

/** Whether two user names are the same account (the backend compares names case-insensitively). */
export function sameUserName(a: string, b: string | null | undefined): boolean {
  return b !== null && b !== undefined && a.toLowerCase() === b.toLowerCase();
}
