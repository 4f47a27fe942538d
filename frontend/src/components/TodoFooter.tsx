import type { TodoStats } from "@/api/client";
import type { Filter } from "@/lib/filter";
import { itemsLeftLabel } from "@/lib/todo-list";

import { TodoFilters } from "./TodoFilters";

interface TodoFooterProps {
  stats: TodoStats | null;
  filter: Filter;
  /** Undefined for a viewer, who cannot delete: the button is not shown. */
  onClearCompleted?: () => Promise<void>;
}

/** "N items left", the filters and "Clear completed" (for those who may delete). */
export function TodoFooter({ stats, filter, onClearCompleted }: TodoFooterProps) {
  return (
    <footer className="todo-footer">
      <span className="todo-footer__count" role="status">
        {stats ? itemsLeftLabel(stats.active) : "\u00a0"}
      </span>
      <TodoFilters current={filter} />
      {onClearCompleted ? (
        <button
          className="text-button todo-footer__clear"
          type="button"
          disabled={!stats || stats.completed === 0}
          onClick={() => void onClearCompleted()}
        >
          Clear completed
        </button>
      ) : (
        <span aria-hidden="true" />
      )}
    </footer>
  );
}
