import type { Todo, TodoChanges } from "@/api/client";

import { TodoItem } from "./TodoItem";
import type { SaveResult } from "./useTodos";

interface TodoListProps {
  todos: Todo[];
  onToggle: (todo: Todo) => Promise<void>;
  onSave: (todo: Todo, changes: TodoChanges, baseVersion: number) => Promise<SaveResult>;
  onDelete: (todo: Todo) => Promise<void>;
  /** A viewer's list: see TodoItem. */
  readOnly?: boolean;
  readOnlyNoteId?: string;
  onEditingChange?: (todoId: string, editing: boolean) => void;
}

export function TodoList({ todos, ...handlers }: TodoListProps) {
  return (
    <ul className="todo-list" aria-label="Todos">
      {todos.map((todo) => (
        <TodoItem key={todo.id} todo={todo} {...handlers} />
      ))}
    </ul>
  );
}
