"use client";

import Link from "next/link";
import { useCallback } from "react";

import type { ListInfo, Segment } from "@/api/client";
import { listHref } from "@/lib/lists";
import { groupByList } from "@/lib/search";
import { api } from "@/lib/session";

import { ErrorState, LoadingState } from "./ListStates";
import { useLiveEvent } from "./useLiveEvents";
import { useReloadable } from "./useReloadable";

/** A title or snippet from its segments: matched words in <mark>, everything as text (never HTML). */
function Marked({ segments }: { segments: readonly Segment[] }) {
  return (
    <>
      {segments.map((segment, index) =>
        segment.match ? <mark key={index}>{segment.text}</mark> : <span key={index}>{segment.text}</span>,
      )}
    </>
  );
}

/**
 * `/search?q=…`: the best matches in every list the user can see, grouped by
 * list (lists in the order of their best match), the matched words marked.
 * A row links to its list, where the todo is edited. Any change to a todo or
 * a membership runs the search again.
 */
export function SearchResults({ query, lists }: { query: string; lists: readonly ListInfo[] }) {
  const load = useCallback(() => api.searchTodos(query), [query]);
  const found = useReloadable(load);
  useLiveEvent(() => {
    found.reload();
  });

  if (found.status === "loading") {
    return (
      <section className="card">
        <LoadingState />
      </section>
    );
  }
  if (found.status === "error" || !found.value) {
    return (
      <ErrorState className="card" title="Couldn't search" message={found.loadError ?? "Something went wrong."} onRetry={found.reload} />
    );
  }
  const groups = groupByList(found.value);
  return (
    <section className="card search-results" aria-label={`Results for ${query}`}>
      <p className="search-results__summary" role="status">
        {found.value.length === 0
          ? `Nothing matches “${query}”.`
          : `${found.value.length} ${found.value.length === 1 ? "todo matches" : "todos match"} “${query}”.`}
      </p>
      {groups.map((group) => {
        const list = lists.find((known) => known.id === group.listId);
        const headingId = `search-group-${group.listId}`;
        return (
          <section key={group.listId} className="search-group" aria-labelledby={headingId}>
            <h2 id={headingId} className="search-group__title">
              {list ? <Link href={listHref(list)}>{group.listName}</Link> : group.listName}
            </h2>
            <ul className="todo-list">
              {group.hits.map((hit) => (
                <li key={hit.todo.id} className="todo-item search-hit" data-todo-id={hit.todo.id}>
                  <span className={hit.todo.completed ? "todo-item__title search-hit__title search-hit__title--done" : "todo-item__title search-hit__title"}>
                    <Marked segments={hit.title} />
                  </span>
                  {hit.snippet.length > 0 ? (
                    <span className="search-hit__snippet">
                      {hit.snippet_starts_inside ? "… " : null}
                      <Marked segments={hit.snippet} />
                      {hit.snippet_ends_inside ? " …" : null}
                    </span>
                  ) : null}
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </section>
  );
}
