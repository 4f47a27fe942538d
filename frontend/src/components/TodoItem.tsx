"use client";

import { type DragEvent, type KeyboardEvent, useEffect, useRef, useState } from "react";

import type { Todo, TodoChanges } from "@/api/client";
import { dueLabel, isOverdue } from "@/lib/due";
import { isPendingTodo } from "@/lib/live-todos";

import { TodoEditor } from "./TodoEditor";
import type { SaveResult } from "./useTodos";

interface TodoItemProps {
  todo: Todo;
  /** This row's editor is the open one (the list allows one at a time). */
  editing?: boolean;
  onOpenEditor?: (todoId: string) => void;
  onCloseEditor?: (todoId: string) => void;
  onToggle: (todo: Todo) => Promise<void>;
  onSave: (todo: Todo, changes: TodoChanges, baseVersion: number) => Promise<SaveResult>;
  /** Deletes the todo (undoably); an edit emptied to no title does this too. */
  onDelete: (todo: Todo) => void;
  onUnsaved?: (todo: Todo, reason: string) => void;
  /**
   * For a viewer: the checkbox shows the state but is disabled, and there is
   * no Edit or Delete. `readOnlyNoteId` names the sentence that says why.
   */
  readOnly?: boolean;
  readOnlyNoteId?: string;
  /** Told when the editor opens and closes (the list keeps an edited todo shown, whatever the filter). */
  onEditingChange?: (todoId: string, editing: boolean) => void;
  /** The row can be dragged, and moved with Alt+ArrowUp / Alt+ArrowDown (see TodoList). */
  movable?: boolean;
  onMoveBy?: (todo: Todo, step: -1 | 1) => void;
  onDragStart?: (todoId: string | null) => void;
  /** Something dragged was dropped on this row. */
  onDrop?: (todo: Todo) => void;
  /** This row is the one being dragged. */
  dragging?: boolean;
}

/**
 * One row of the list: checkbox, title and notes, edit and delete. A todo
 * still being added (a temporary row) shows, but cannot be changed yet.
 */
export function TodoItem({
  todo,
  editing = false,
  onOpenEditor,
  onCloseEditor,
  onToggle,
  onSave,
  onDelete,
  onUnsaved,
  readOnly = false,
  readOnlyNoteId,
  onEditingChange,
  movable = false,
  onMoveBy,
  onDragStart,
  onDrop,
  dragging = false,
}: TodoItemProps) {
  const [busy, setBusy] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const adding = isPendingTodo(todo);

  const pending = useRef(new Set<string>());
  const restoreFocus = useRef(false);

  const todoId = todo.id;
  useEffect(() => {
    if (!editing || !onEditingChange) return;
    onEditingChange(todoId, true);
    return () => {
      onEditingChange(todoId, false);
    };
  }, [editing, todoId, onEditingChange]);

  // After the editor closes from the keyboard or its buttons, put focus back on the Edit button.
  useEffect(() => {
    if (!editing && restoreFocus.current) {
      restoreFocus.current = false;
      editButton.current?.focus();
    }
  }, [editing]);

  /**
   * Runs a row action (toggle). The controls stay enabled (a disabled
   * button would drop keyboard focus); a repeat press of the same action while
   * it is still running is ignored.
   */
  async function run(name: "toggle", action: () => Promise<void>) {
    if (pending.current.has(name)) return;
    pending.current.add(name);
    setBusy(true);
    try {
      await action();
    } finally {
      pending.current.delete(name);
      setBusy(pending.current.size > 0);
    }
  }

  function startEditing() {
    if (!readOnly && !adding) onOpenEditor?.(todo.id);
  }

  // An editor open when the role drops to viewer stays, read-only, so the typed text is not lost.
  if (editing) {
    return (
      <li className="todo-item todo-item--editing" data-todo-id={todo.id}>
        <TodoEditor
          todo={todo}
          onSave={(changes, baseVersion) => onSave(todo, changes, baseVersion)}
          onDelete={() => {
            onDelete(todo);
          }}
          onUnsaved={(reason) => onUnsaved?.(todo, reason)}
          readOnly={readOnly}
          onClose={(focusWasInside) => {
            restoreFocus.current = focusWasInside;
            onCloseEditor?.(todo.id);
          }}
        />
      </li>
    );
  }

  const classes = [
    "todo-item",
    todo.completed ? "todo-item--completed" : "",
    adding ? "todo-item--adding" : "",
    dragging ? "todo-item--dragging" : "",
    isOverdue(todo) ? "todo-item--overdue" : "",
  ];
  const moving = movable
    ? {
        draggable: true,
        "aria-keyshortcuts": "Alt+ArrowUp Alt+ArrowDown",
        onKeyDown: (event: KeyboardEvent<HTMLLIElement>) => {
          if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
          event.preventDefault();
          onMoveBy?.(todo, event.key === "ArrowUp" ? -1 : 1);
        },
        onDragStart: (event: DragEvent<HTMLLIElement>) => {
          event.dataTransfer.effectAllowed = "move";
          event.dataTransfer.setData("text/plain", todo.title);
          onDragStart?.(todo.id);
        },
        onDragEnd: () => onDragStart?.(null),
        onDragOver: (event: DragEvent<HTMLLIElement>) => {
          event.preventDefault(); // a drop target
        },
        onDrop: (event: DragEvent<HTMLLIElement>) => {
          event.preventDefault();
          onDrop?.(todo);
        },
      }
    : {};
  return (
    <li
      className={classes.filter(Boolean).join(" ")}
      data-todo-id={todo.id}
      tabIndex={-1}
      aria-busy={busy || adding || undefined}
      {...moving}
    >
      <input
        className="todo-item__checkbox"
        type="checkbox"
        checked={todo.completed}
        aria-label={`Complete ${todo.title}`}
        disabled={readOnly || adding}
        aria-describedby={readOnly ? readOnlyNoteId : undefined}
        onChange={() => void run("toggle", () => onToggle(todo))}
      />
      <span className="todo-item__title" onDoubleClick={startEditing}>
        {todo.title}
      </span>
      {readOnly || adding ? null : (
        <div className="todo-item__actions">
          <button
            ref={editButton}
            className="icon-button"
            type="button"
            aria-label={`Edit ${todo.title}`}
            title="Edit"
            onClick={startEditing}
          >
            <svg aria-hidden="true" viewBox="0 0 20 20" width="18" height="18">
              <path
                d="M13.6 3.4a2 2 0 0 1 2.9 2.9l-9 9-3.8.9.9-3.8 9-9Z"
                fill="none"
                stroke="currentColor"
                strokeWidth="1.6"
                strokeLinejoin="round"
              />
            </svg>
          </button>
          <button
            className="icon-button icon-button--danger"
            type="button"
            aria-label={`Delete ${todo.title}`}
            title="Delete"
            onClick={() => {
              onDelete(todo);
            }}
          >
            <svg aria-hidden="true" viewBox="0 0 20 20" width="18" height="18">
              <path
                d="M4 6h12M8 6V4h4v2m-6 0 .7 10h6.6L14 6"
                fill="none"
                stroke="currentColor"
                strokeWidth="1.6"
                strokeLinecap="round"
                strokeLinejoin="round"
              />
            </svg>
          </button>
        </div>
      )}
      <DueDate todo={todo} />
      {todo.content ? (
        <p className="todo-item__content" onDoubleClick={startEditing}>
          {todo.content}
        </p>
      ) : null}
    </li>
  );
}

/** The row's due date as set, and "Overdue" in words (not only in colour) once past. */
export function DueDate({ todo }: { todo: Todo }) {
  const label = dueLabel(todo);
  if (label === null) return null;
  const overdue = isOverdue(todo);
  return (
    <p className={overdue ? "todo-item__due todo-item__due--overdue" : "todo-item__due"}>
      {overdue ? <strong>Overdue: </strong> : <span className="visually-hidden">Due: </span>}
      <time dateTime={todo.due_time ? `${todo.due_date}T${todo.due_time}` : (todo.due_date ?? undefined)}>{label}</time>
    </p>
  );
}
