"use client";

import Link from "next/link";
import { useCallback, useState } from "react";

import type { ListInfo, Todo } from "@/api/client";
import { browserTimeZone, DUE_VIEWS, type DueView, isOverdue } from "@/lib/due";
import { listHref } from "@/lib/lists";
import { api } from "@/lib/session";

import { ErrorState, LoadingState } from "./ListStates";
import { LoadMoreButton } from "./LoadMoreButton";
import { DueDate } from "./TodoItem";
import { useLiveEvent } from "./useLiveEvents";
import { useReloadable } from "./useReloadable";

const EMPTY: Record<DueView, string> = {
  today: "Nothing due today.",
  upcoming: "Nothing due after today.",
  overdue: "Nothing overdue.",
};

/**
 * A due view (Today, Upcoming, Overdue): the open todos due in every list the
 * user can see, soonest first, each with its list; a row links to its list,
 * where it is edited. Any change to a todo reloads the view (a todo may
 * enter or leave it), as does a change of membership.
 */
export function DueBoard({ view, lists }: { view: DueView; lists: readonly ListInfo[] }) {
  const load = useCallback(() => api.listDueTodos({ view, timeZone: browserTimeZone() }), [view]);
  const first = useReloadable(load);
  /** Pages fetched with "Load more" after the first. */
  const [more, setMore] = useState<{ todos: Todo[]; nextCursor: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  // Any change may bring a todo into the view or take one out: start again from the first page.
  useLiveEvent(() => {
    setMore(null);
    first.reload();
  });

  const nextCursor = more ? more.nextCursor : (first.value?.nextCursor ?? null);

  async function loadMore() {
    if (!nextCursor) return;
    setLoadingMore(true);
    try {
      const page = await api.listDueTodos({ view, timeZone: browserTimeZone(), cursor: nextCursor });
      setMore((shown) => ({ todos: [...(shown?.todos ?? []), ...page.todos], nextCursor: page.nextCursor }));
    } finally {
      setLoadingMore(false);
    }
  }

  if (first.status === "loading") {
    return (
      <section className="card">
        <LoadingState />
      </section>
    );
  }
  if (first.status === "error" || !first.value) {
    return (
      <ErrorState
        className="card"
        title="Couldn't load your due todos"
        message={first.loadError ?? "Something went wrong."}
        onRetry={first.reload}
      />
    );
  }
  const todos = [...first.value.todos, ...(more?.todos ?? [])];
  const label = DUE_VIEWS.find((entry) => entry.view === view)?.label ?? view;
  return (
    <section className="card" aria-label={label}>
      {todos.length === 0 ? (
        <p className="list-state">{EMPTY[view]}</p>
      ) : (
        <ul className="todo-list">
          {todos.map((todo) => {
            const list = lists.find((known) => known.id === todo.list_id);
            const classes = ["todo-item", "due-item", isOverdue(todo) ? "todo-item--overdue" : ""];
            return (
              <li key={todo.id} className={classes.filter(Boolean).join(" ")} data-todo-id={todo.id}>
                <span className="todo-item__title">{todo.title}</span>
                {list ? (
                  <Link className="due-list__list-name" href={listHref(list)}>
                    {list.name}
                  </Link>
                ) : null}
                <DueDate todo={todo} />
              </li>
            );
          })}
        </ul>
      )}
      {nextCursor ? <LoadMoreButton loading={loadingMore} onLoadMore={loadMore} /> : null}
    </section>
  );
}
