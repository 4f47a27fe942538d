"use client";

import { useId, useState } from "react";

import type { Role } from "@/api/client";
import { type Filter, FILTER_LABELS, matchesFilter } from "@/lib/filter";
import { canEditTodos, VIEWER_NOTE } from "@/lib/roles";
import { api } from "@/lib/session";

import { ErrorBanner } from "./ErrorBanner";
import { EmptyState, ErrorState, LoadingState } from "./ListStates";
import { LoadMoreButton } from "./LoadMoreButton";
import { NewTodoInput } from "./NewTodoInput";
import { TodoFooter } from "./TodoFooter";
import { TodoList } from "./TodoList";
import { useTodos } from "./useTodos";

interface TodoBoardProps {
  filter: Filter;
  /** The list shown; undefined for the personal list (the `/todo` endpoints). */
  listId?: string;
  /** The list's id in live events (the personal list's too, once known). */
  liveListId?: string;
  /** The caller's role in the list: a viewer gets no controls that change todos. */
  role?: Role;
  /** A 403 or 404 said the role or membership changed: reload them. */
  onAccessChanged?: () => void;
}

/** The card holding the new-todo field, the list and its footer. */
export function TodoBoard({ filter, listId, liveListId, role = "owner", onAccessChanged }: TodoBoardProps) {
  const todos = useTodos(api, filter, { listId, liveListId, onAccessChanged });
  const canEdit = canEditTodos(role);
  const viewerNoteId = useId();
  // A one-line note tied to the filter it was made under (gone after switching).
  const [notice, setNotice] = useState<{ filter: Filter; text: string } | null>(null);

  async function add(title: string, idempotencyKey: string) {
    setNotice(null);
    const todo = await todos.add(title, idempotencyKey);
    // Adding under "Completed" would otherwise look like nothing happened.
    if (!matchesFilter(todo, filter)) {
      setNotice({ filter, text: `Added “${todo.title}”. It is not shown under ${FILTER_LABELS[filter]}.` });
    }
  }

  return (
    <section className="card" aria-label="Todo list">
      {canEdit ? (
        <NewTodoInput onAdd={add} />
      ) : (
        <p className="read-only-note" id={viewerNoteId}>
          {VIEWER_NOTE}
        </p>
      )}
      {notice?.filter === filter ? (
        <p className="banner banner--info" role="status">
          {notice.text}
        </p>
      ) : null}
      {todos.actionError ? <ErrorBanner message={todos.actionError} onDismiss={todos.dismissActionError} /> : null}
      {todos.status === "loading" ? <LoadingState /> : null}
      {todos.status === "error" ? (
        <ErrorState message={todos.loadError ?? "Something went wrong."} onRetry={todos.retry} />
      ) : null}
      {todos.status === "ready" && todos.todos.length === 0 ? <EmptyState filter={filter} canAdd={canEdit} /> : null}
      {todos.status === "ready" && todos.todos.length > 0 ? (
        <TodoList
          todos={todos.todos}
          onToggle={todos.toggle}
          onSave={todos.save}
          onDelete={todos.remove}
          readOnly={!canEdit}
          readOnlyNoteId={viewerNoteId}
          onEditingChange={todos.setEditing}
        />
      ) : null}
      {todos.hasMore ? <LoadMoreButton loading={todos.loadingMore} onLoadMore={todos.loadMore} /> : null}
      <TodoFooter
        stats={todos.stats}
        filter={filter}
        onClearCompleted={canEdit ? todos.clearCompleted : undefined}
      />
    </section>
  );
}
