import type { Todo } from "@/api/client";

interface ConflictNoticeProps {
  /** The server's current copy of the todo. */
  current: Todo;
}

/** Shown in the editor after a 412: the todo was saved elsewhere meanwhile. */
export function ConflictNotice({ current }: ConflictNoticeProps) {
  return (
    <div className="conflict" role="alert">
      <p className="conflict__heading">This todo was changed somewhere else.</p>
      <p className="conflict__help">
        Your changes are kept below. Here is the version saved now — save again to replace it with yours, or discard your
        changes to keep it.
      </p>
      <dl className="conflict__current" aria-label="Saved version">
        <dt>Title</dt>
        <dd>{current.title}</dd>
        <dt>Notes</dt>
        <dd>{current.content || <span className="muted">(none)</span>}</dd>
        <dt>Status</dt>
        <dd>{current.completed ? "Completed" : "Active"}</dd>
      </dl>
    </div>
  );
}
