"use client";

import { type Ref, useCallback, useState } from "react";

import type { Todo, TodoChanges } from "@/api/client";

import { TodoItem } from "./TodoItem";
import type { SaveResult } from "./useTodos";

interface TodoListProps {
  listRef?: Ref<HTMLUListElement>;
  todos: Todo[];
  onToggle: (todo: Todo) => Promise<void>;
  onSave: (todo: Todo, changes: TodoChanges, baseVersion: number) => Promise<SaveResult>;
  onDelete: (todo: Todo) => void;
  /** An editor closed by another one opening could not save its draft. */
  onUnsaved?: (todo: Todo, reason: string) => void;
  /** A viewer's list: see TodoItem. */
  readOnly?: boolean;
  readOnlyNoteId?: string;
  onEditingChange?: (todoId: string, editing: boolean) => void;
}

/** The rows. One editor is open at a time: opening another closes this one (leaving it saved its draft). */
export function TodoList({ listRef, todos, onDelete, ...handlers }: TodoListProps) {
  const [editingId, setEditingId] = useState<string | null>(null);
  const closeEditor = useCallback((todoId: string) => {
    setEditingId((current) => (current === todoId ? null : current));
  }, []);
  return (
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
          {...handlers}
        />
      ))}
    </ul>
  );
}
