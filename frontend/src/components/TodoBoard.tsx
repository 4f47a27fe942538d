"use client";

import { useEffect, useId, useRef, useState } from "react";

import type { Role, Todo } from "@/api/client";
import { type Filter, FILTER_LABELS, matchesFilter } from "@/lib/filter";
import { canEditTodos, VIEWER_NOTE } from "@/lib/roles";
import { api } from "@/lib/session";
import { focusTodoRow, rowToFocusAfterRemoving } from "@/lib/todo-focus";

import { ErrorBanner } from "./ErrorBanner";
import { EmptyState, ErrorState, LoadingState } from "./ListStates";
import { LoadMoreButton } from "./LoadMoreButton";
import { NewTodoInput } from "./NewTodoInput";
import { TodoFooter } from "./TodoFooter";
import { TodoList } from "./TodoList";
import { ToggleAllButton } from "./ToggleAllButton";
import { UndoToast } from "./UndoToast";
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

/** Where keyboard focus goes once the list has rendered: a row (by todo id) or the new-todo field. */
type FocusTarget = { todoId: string } | "new-todo";

/** The card holding the new-todo field, the list, its footer and the undo toast. */
export function TodoBoard({ filter, listId, liveListId, role = "owner", onAccessChanged }: TodoBoardProps) {
  const todos = useTodos(api, filter, { listId, liveListId, onAccessChanged });
  const canEdit = canEditTodos(role);
  const viewerNoteId = useId();
  const listRef = useRef<HTMLUListElement>(null);
  const newTodoRef = useRef<HTMLInputElement>(null);
  // A one-line note tied to the filter it was made under (gone after switching).
  const [notice, setNotice] = useState<{ filter: Filter; text: string } | null>(null);
  // Focus moves once the rows it depends on have rendered (removed, restored, loaded).
  const focusTarget = useRef<FocusTarget | null>(null);
  const [focusRequests, setFocusRequests] = useState(0);
  function setFocusTarget(target: FocusTarget) {
    focusTarget.current = target;
    setFocusRequests((count) => count + 1);
  }
  useEffect(() => {
    const target = focusTarget.current;
    if (target === null) return;
    focusTarget.current = null;
    if (target !== "new-todo" && focusTodoRow(listRef.current, target.todoId)) return;
    newTodoRef.current?.focus();
  }, [focusRequests]);

  async function add(title: string, idempotencyKey: string) {
    setNotice(null);
    const todo = await todos.add(title, idempotencyKey);
    // Adding under "Completed" would otherwise look like nothing happened.
    if (!matchesFilter(todo, filter)) {
      setNotice({ filter, text: `Added “${todo.title}”. It is not shown under ${FILTER_LABELS[filter]}.` });
    }
  }

  /** Deletes (undoably); if focus was in the row, it moves to the next row, the previous, or the new-todo field. */
  function remove(todo: Todo) {
    const target = rowToFocusAfterRemoving(listRef.current, todos.todos, todo.id);
    todos.remove(todo);
    if (target !== undefined) setFocusTarget(target === null ? "new-todo" : { todoId: target });
  }

  async function clearCompleted() {
    await todos.clearCompleted();
    setFocusTarget("new-todo");
  }

  function undo() {
    const [first] = todos.undoDeletion();
    if (first) setFocusTarget({ todoId: first.id });
  }

  async function loadMore() {
    const first = await todos.loadMore();
    if (first) setFocusTarget({ todoId: first.id });
  }

  // The footer and "mark all" are about the todos there are: none at all, none of them.
  const hasTodos = todos.stats !== null && todos.stats.total > 0;

  return (
    <section className="card" aria-label="Todo list">
      {canEdit ? (
        <NewTodoInput onAdd={add} inputRef={newTodoRef} />
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
      {todos.actionError ? <ErrorBanner problem={todos.actionError} onDismiss={todos.dismissActionError} /> : null}
      {canEdit && hasTodos && todos.status === "ready" && todos.stats ? (
        <ToggleAllButton allCompleted={todos.stats.active === 0} onMarkAll={todos.markAll} />
      ) : null}
      {todos.status === "loading" ? <LoadingState /> : null}
      {todos.status === "error" && todos.loadError ? (
        <ErrorState message={todos.loadError.message} reference={todos.loadError.reference} onRetry={todos.retry} />
      ) : null}
      {todos.status === "ready" && todos.todos.length === 0 ? <EmptyState filter={filter} canAdd={canEdit} /> : null}
      {todos.status === "ready" && todos.todos.length > 0 ? (
        <TodoList
          listRef={listRef}
          todos={todos.todos}
          onToggle={todos.toggle}
          onMove={todos.move}
          onSave={todos.save}
          onDelete={remove}
          onUnsaved={todos.reportUnsaved}
          readOnly={!canEdit}
          readOnlyNoteId={viewerNoteId}
          onEditingChange={todos.setEditing}
        />
      ) : null}
      {todos.hasMore ? <LoadMoreButton loading={todos.loadingMore} onLoadMore={loadMore} /> : null}
      {hasTodos ? (
        <TodoFooter
          stats={todos.stats}
          filter={filter}
          onClearCompleted={canEdit ? clearCompleted : undefined}
        />
      ) : null}
      <UndoToast deletion={todos.deletion} onUndo={undo} onGone={todos.commitDeletion} />
    </section>
  );
}
