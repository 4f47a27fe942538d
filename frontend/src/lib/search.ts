/**
 * Search on the client (the server's rules: docs/search.md): the results
 * grouped by list, in the order the best result of each list came, and which
 * key presses open the search field.
 */
import type { SearchHit } from "@/api/client";

/** The longest query the API accepts (`q`, in characters). */
export const QUERY_MAX = 200;

/** The key that moves the focus to the search field, as in many web apps. */
export const SEARCH_SHORTCUT = "/";

export interface SearchGroup {
  listId: string;
  listName: string;
  hits: SearchHit[];
}

/** The hits grouped by list: lists in the order of their best hit, hits in the server's order within each. */
export function groupByList(hits: readonly SearchHit[]): SearchGroup[] {
  const groups = new Map<string, SearchGroup>();
  for (const hit of hits) {
    const listId = hit.todo.list_id;
    let group = groups.get(listId);
    if (!group) {
      group = { listId, listName: hit.list_name, hits: [] };
      groups.set(listId, group);
    }
    group.hits.push(hit);
  }
  return [...groups.values()];
}

/** The query as the URL holds it (`/search?q=`): trimmed and cut to what the API accepts. */
export function normaliseQuery(raw: string | null): string {
  return (raw ?? "").trim().slice(0, QUERY_MAX);
}

/** Whether a key press there is typing (so "/" must type "/", not open the search). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  // `isContentEditable` is what browsers answer; the attribute, for DOMs without it (jsdom).
  if (target.isContentEditable || target.closest('[contenteditable]:not([contenteditable="false"])')) return true;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
}

/** Whether a key press is the search shortcut: "/" alone, outside any field. */
export function isSearchShortcut(event: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey" | "target">): boolean {
  if (event.key !== SEARCH_SHORTCUT || event.ctrlKey || event.metaKey || event.altKey) return false;
  return !isTypingTarget(event.target);
}
