"use client";

import { useEffect, useRef, useState } from "react";

import type { Todo, TodoChanges } from "@/api/client";

import { TodoEditor } from "./TodoEditor";
import type { SaveResult } from "./useTodos";

interface TodoItemProps {
  todo: Todo;
  onToggle: (todo: Todo) => Promise<void>;
  onSave: (todo: Todo, changes: TodoChanges, baseVersion: number) => Promise<SaveResult>;
  onDelete: (todo: Todo) => Promise<void>;
  /**
   * For a viewer: the checkbox shows the state but is disabled, and there is
   * no Edit or Delete. `readOnlyNoteId` names the sentence that says why.
   */
  readOnly?: boolean;
  readOnlyNoteId?: string;
  /** Told when the editor opens and closes (the list keeps an edited todo shown, whatever the filter). */
  onEditingChange?: (todoId: string, editing: boolean) => void;
}

/** One row of the list: checkbox, title and notes, edit and delete. */
export function TodoItem({
  todo,
  onToggle,
  onSave,
  onDelete,
  readOnly = false,
  readOnlyNoteId,
  onEditingChange,
}: TodoItemProps) {
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);

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

  // After the editor closes, put keyboard focus back on the Edit button.
  useEffect(() => {
    if (!editing && restoreFocus.current) {
      restoreFocus.current = false;
      editButton.current?.focus();
    }
  }, [editing]);

  /**
   * Runs a row action (toggle, delete). The controls stay enabled (a disabled
   * button would drop keyboard focus); a repeat press of the same action while
   * it is still running is ignored.
   */
  async function run(name: "toggle" | "delete", action: () => Promise<void>) {
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
    if (!readOnly) setEditing(true);
  }

  if (editing && !readOnly) {
    return (
      <li className="todo-item todo-item--editing">
        <TodoEditor
          todo={todo}
          onSave={(changes, baseVersion) => onSave(todo, changes, baseVersion)}
          onClose={() => {
            restoreFocus.current = true;
            setEditing(false);
          }}
        />
      </li>
    );
  }

  return (
    <li className={todo.completed ? "todo-item todo-item--completed" : "todo-item"} aria-busy={busy || undefined}>
      <input
        className="todo-item__checkbox"
        type="checkbox"
        checked={todo.completed}
        aria-label={`Complete ${todo.title}`}
        disabled={readOnly}
        aria-describedby={readOnly ? readOnlyNoteId : undefined}
        onChange={() => void run("toggle", () => onToggle(todo))}
      />
      <span className="todo-item__title" onDoubleClick={startEditing}>
        {todo.title}
      </span>
      {readOnly ? null : (
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
            onClick={() => void run("delete", () => onDelete(todo))}
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
      {todo.content ? (
        <p className="todo-item__content" onDoubleClick={startEditing}>
          {todo.content}
        </p>
      ) : null}
    </li>
  );
}
