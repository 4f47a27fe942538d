/**
 * The list filter (All / Active / Completed) lives in the URL as
 * `?filter=active|completed` so reload, bookmarks and back/forward keep it.
 * "All" is the absence of the parameter.
 */

export const FILTERS = ["all", "active", "completed"] as const;
export type Filter = (typeof FILTERS)[number];

export const FILTER_LABELS: Record<Filter, string> = {
  all: "All",
  active: "Active",
  completed: "Completed",
};

interface SearchParamsLike {
  get(name: string): string | null;
}

/** Reads the filter from the URL; anything unknown means "all". */
export function filterFromSearchParams(params: SearchParamsLike | null | undefined): Filter {
  const value = params?.get("filter");
  return value === "active" || value === "completed" ? value : "all";
}

/**
 * The link target for a filter on the page at `pathname` (`/` or
 * `/lists/<id>`), keeping other query parameters as they are.
 */
export function filterHref(filter: Filter, current?: SearchParamsLike & { toString(): string }, pathname = "/"): string {
  const params = new URLSearchParams(current?.toString() ?? "");
  if (filter === "all") params.delete("filter");
  else params.set("filter", filter);
  const query = params.toString();
  return query ? `${pathname}?${query}` : pathname;
}

/** The `completed` query parameter for GET /todo and GET /lists/{id}/todos (undefined = no filtering). */
export function completedParamFor(filter: Filter): boolean | undefined {
  if (filter === "active") return false;
  if (filter === "completed") return true;
  return undefined;
}

/** Whether a todo belongs in the list under the given filter. */
export function matchesFilter(todo: { completed: boolean }, filter: Filter): boolean {
  return completedParamFor(filter) === undefined || todo.completed === completedParamFor(filter);
}
