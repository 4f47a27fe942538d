"use client";

import { type Ref, useCallback, useState } from "react";

import type { Todo, TodoChanges } from "@/api/client";
import { isPendingTodo } from "@/lib/live-todos";
import { movedLabel, type Place } from "@/lib/todo-list";

import { TodoItem } from "./TodoItem";
import type { SaveResult } from "./useTodos";

interface TodoListProps {
  listRef?: Ref<HTMLUListElement>;
  todos: Todo[];
  onToggle: (todo: Todo) => Promise<void>;
  onSave: (todo: Todo, changes: TodoChanges, baseVersion: number) => Promise<SaveResult>;
  onDelete: (todo: Todo) => void;
  /** Reorders a todo (drag and drop, Alt+ArrowUp / Alt+ArrowDown); absent: rows do not move. */
  onMove?: (todo: Todo, place: Place) => Promise<void>;
  /** An editor closed by another one opening could not save its draft. */
  onUnsaved?: (todo: Todo, reason: string) => void;
  /** A viewer's list: see TodoItem. */
  readOnly?: boolean;
  readOnlyNoteId?: string;
  onEditingChange?: (todoId: string, editing: boolean) => void;
}

/**
 * Where moving `todo` to the row `target` of `rows` puts it, as the API takes
 * it: after the target when moving down, before it when moving up.
 */
function placeAt(rows: readonly Todo[], todo: Todo, target: Todo): Place {
  const down = rows.indexOf(todo) < rows.indexOf(target);
  return down ? { after: target.id } : { before: target.id };
}

/**
 * The rows. One editor is open at a time: opening another closes this one (leaving it saved its draft).
 * Rows are reordered by dragging them (native HTML drag and drop: the keyboard
 * path below is the accessible one, so no library's sensors are needed) or
 * with Alt+ArrowUp / Alt+ArrowDown on a focused row, and a polite live region
 * says where the row went.
 */
export function TodoList({ listRef, todos, onDelete, onMove, readOnly = false, ...handlers }: TodoListProps) {
  const [editingId, setEditingId] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const [dragged, setDragged] = useState<string | null>(null);
  const closeEditor = useCallback((todoId: string) => {
    setEditingId((current) => (current === todoId ? null : current));
  }, []);
  // Rows still being added have no id the server knows: they neither move nor anchor a move.
  const rows = todos.filter((todo) => !isPendingTodo(todo));
  const movable = onMove !== undefined && !readOnly;

  const moveTo = (todo: Todo, target: Todo) => {
    if (!onMove || todo.id === target.id) return;
    const index = rows.indexOf(target);
    // Focus stays on the control it was on, wherever the row is drawn next.
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const refocus = () => {
      if (focused?.isConnected && document.activeElement !== focused) focused.focus();
    };
    void onMove(todo, placeAt(rows, todo, target)).then(refocus);
    requestAnimationFrame(refocus);
    setAnnouncement(movedLabel(index, rows.length));
  };

  const moveBy = (todo: Todo, step: -1 | 1) => {
    const target = rows[rows.indexOf(todo) + step];
    if (target) moveTo(todo, target);
  };

  const dropOn = (target: Todo) => {
    const todo = rows.find((row) => row.id === dragged);
    setDragged(null);
    if (todo) moveTo(todo, target);
  };

  return (
    <>
      <ul className="todo-list" aria-label="Todos" ref={listRef}>
        {todos.map((todo) => (
          <TodoItem
            key={todo.id}
            todo={todo}
            editing={editingId === todo.id}
            onOpenEditor={setEditingId}
            onCloseEditor={closeEditor}
            onDelete={(deleted) => {
              closeEditor(deleted.id);
              onDelete(deleted);
            }}
            readOnly={readOnly}
            movable={movable && !isPendingTodo(todo)}
            onMoveBy={moveBy}
            onDragStart={setDragged}
            onDrop={dropOn}
            dragging={dragged === todo.id}
            {...handlers}
          />
        ))}
      </ul>
      {movable ? (
        <p className="visually-hidden" role="status" aria-live="polite">
          {announcement}
        </p>
      ) : null}
    </>
  );
}
