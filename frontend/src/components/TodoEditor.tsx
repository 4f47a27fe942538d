"use client";

import { type FocusEvent, type SubmitEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from "react";

import type { Todo, TodoChanges } from "@/api/client";
import { browserTimeZone } from "@/lib/due";
import { validateContent, validateTitle } from "@/lib/validation";

import { ConflictNotice } from "./ConflictNotice";
import type { SaveResult } from "./useTodos";

interface TodoEditorProps {
  todo: Todo;
  onSave: (changes: TodoChanges, baseVersion: number) => Promise<SaveResult>;
  /** The title was emptied: the todo is deleted (undoably), as in TodoMVC. */
  onDelete: () => void;
  /** The editor was closed (another one opened) before its save failed: the list says so. */
  onUnsaved?: (reason: string) => void;
  /**
   * Leaves edit mode (after a save, Cancel or Escape). `focusWasInside`:
   * focus was in the editor (keys, its buttons), so it should go back to
   * the row; after a click elsewhere it stays where the user put it.
   */
  onClose: (focusWasInside: boolean) => void;
  /**
   * The user can no longer edit (their role in the list was lowered to
   * viewer while this editor was open): the draft stays on screen, read-only
   * and copyable, with a sentence saying why it cannot be saved.
   */
  readOnly?: boolean;
}

/**
 * Edits a todo's title and notes in place. Enter saves, Escape cancels
 * (Shift+Enter makes a new line in the notes); leaving the editor (a click
 * elsewhere, Tab out of it) saves too, as in TodoMVC. A title emptied to
 * nothing deletes the todo, with the usual undo.
 *
 * The save carries the version the user started from (If-Match). If the
 * todo's title, notes or due date change elsewhere meanwhile, the editor shows the current saved version
 * next to the user's draft, which stays untouched: at once when the live
 * stream brings the new version (`todo` is always the newest copy the list
 * has), or when the server refuses the save (412) if it came first.
 */
/** Whether two copies of a todo differ in what the editor shows (title, notes, due date). */
function editedFieldsDiffer(a: Todo, b: Todo): boolean {
  return (
    a.title !== b.title ||
    a.content !== b.content ||
    a.due_date !== b.due_date ||
    a.due_time !== b.due_time ||
    a.due_zone !== b.due_zone
  );
}

export function TodoEditor({ todo, onSave, onDelete, onUnsaved, onClose, readOnly = false }: TodoEditorProps) {
  const [title, setTitle] = useState(todo.title);
  const [content, setContent] = useState(todo.content);
  /** The due date and time as the inputs hold them ("" for none), in the todo's zone. */
  const [dueDate, setDueDate] = useState(todo.due_date ?? "");
  const [dueTime, setDueTime] = useState(todo.due_time?.slice(0, 5) ?? "");
  /** The copy the draft was started from. */
  const [start] = useState(todo);
  const startVersion = start.version;
  /** The current copy a refused save (412) fetched, in case the list has not got it. */
  const [refusedBy, setRefusedBy] = useState<Todo | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** Set while saving: the conflict shown when Save was pressed (our own save's event must not show as one). */
  const [saving, setSaving] = useState<{ conflict: Todo | null } | null>(null);
  /** After "Copy my text" (read-only mode): whether the clipboard took it. */
  const [copied, setCopied] = useState<boolean | null>(null);
  const titleId = useId();
  const contentId = useId();
  const dueDateId = useId();
  const dueTimeId = useId();
  const errorId = useId();
  const form = useRef<HTMLFormElement>(null);
  /** A pointer press inside the editor: the blur it causes (Safari does not focus buttons) is not leaving. */
  const pressingInside = useRef(false);
  /** Escape or Cancel: the blur that follows must not save. */
  const cancelled = useRef(false);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  function close() {
    onClose(form.current?.contains(document.activeElement) ?? false);
  }

  function cancel() {
    cancelled.current = true;
    close();
  }

  // The newest saved copy known; newer than the start in a field the editor shows means it changed
  // elsewhere. A tick (or a move) elsewhere is no conflict: the save goes with the newest version.
  const newest = refusedBy && refusedBy.version > todo.version ? refusedBy : todo;
  const changedElsewhere = newest.version > startVersion && editedFieldsDiffer(newest, start) ? newest : null;
  const conflict = saving ? saving.conflict : changedElsewhere;

  const draftChanged =
    title !== start.title ||
    content !== start.content ||
    dueDate !== (start.due_date ?? "") ||
    dueTime !== (start.due_time?.slice(0, 5) ?? "");

  async function save() {
    if (saving || readOnly) return;
    if (title.trim() === "") {
      onDelete();
      return;
    }
    const checkedTitle = validateTitle(title);
    const checkedContent = validateContent(content);
    if (!checkedTitle.ok || !checkedContent.ok) {
      setError(checkedTitle.ok ? (checkedContent.ok ? null : checkedContent.message) : checkedTitle.message);
      return;
    }
    // Send only what changed; after a conflict, send the whole draft so the
    // user's version replaces the one saved elsewhere (the one shown, hence its version).
    const changes: TodoChanges = {};
    if (conflict || checkedTitle.value !== todo.title) changes.title = checkedTitle.value;
    if (conflict || checkedContent.value !== todo.content) changes.content = checkedContent.value;
    // The due date only if the draft's differs from the newest saved copy (the one shown after a conflict).
    const saved = conflict ?? todo;
    if (dueDate !== (saved.due_date ?? "") || dueTime !== (saved.due_time?.slice(0, 5) ?? "")) {
      if (dueDate === "") {
        changes.due_date = null;
      } else {
        // The inputs show the date in the zone it was set in; a new date is in the browser's.
        changes.due_date = dueDate;
        changes.due_time = dueTime === "" ? null : dueTime;
        changes.due_zone = (todo.due_date ? todo.due_zone : null) ?? browserTimeZone();
      }
    }
    if (Object.keys(changes).length === 0) {
      close();
      return;
    }
    setSaving({ conflict });
    setError(null);
    const result = await onSave(changes, conflict ? conflict.version : Math.max(startVersion, todo.version));
    if (!mounted.current) {
      // Another editor opened meanwhile: this one is gone, so the list tells the user.
      if (!result.ok) onUnsaved?.("conflict" in result ? "It was changed somewhere else meanwhile." : result.message);
      return;
    }
    setSaving(null);
    if (result.ok) {
      close();
    } else if ("conflict" in result) {
      setRefusedBy(result.conflict);
    } else {
      setError(result.message);
    }
  }

  /** The draft's title and notes to the clipboard (read-only mode). */
  async function copyDraft() {
    try {
      await navigator.clipboard.writeText(content === "" ? title : `${title}\n\n${content}`);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }

  function handleSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    void save();
  }

  /** Focus left the editor (not to a window elsewhere, not after Escape): save, TodoMVC's way. */
  function handleBlur(event: FocusEvent<HTMLFormElement>) {
    if (event.currentTarget.contains(event.relatedTarget) || pressingInside.current) return;
    // Focus going to another window or app (relatedTarget null, the page without focus) is not leaving.
    if (cancelled.current || (event.relatedTarget === null && !document.hasFocus())) return;
    void save();
  }

  function handleKeyDown(event: KeyboardEvent<HTMLElement>) {
    if (event.key === "Escape") {
      event.preventDefault();
      cancel();
    } else if (event.key === "Enter" && !event.shiftKey && event.target instanceof HTMLTextAreaElement) {
      event.preventDefault();
      void save();
    }
  }

  return (
    <form
      ref={form}
      className="todo-editor"
      onSubmit={handleSubmit}
      onKeyDown={handleKeyDown}
      onBlur={handleBlur}
      onPointerDown={() => {
        // The blur, if any, comes with this press (mousedown's default); forget it right after.
        pressingInside.current = true;
        setTimeout(() => {
          pressingInside.current = false;
        }, 0);
      }}
      noValidate
    >
      {readOnly ? (
        <p className="todo-editor__read-only" role="alert">
          {draftChanged
            ? "You can only view this list now (an owner made you a viewer), so your changes can't be saved. Your text is kept here: copy it if you need it."
            : "You can only view this list now (an owner made you a viewer), so this todo can't be edited."}
        </p>
      ) : conflict ? (
        <ConflictNotice current={conflict} />
      ) : null}
      <label className="todo-editor__label" htmlFor={titleId}>
        Title
      </label>
      <input
        id={titleId}
        className="todo-editor__title"
        value={title}
        readOnly={readOnly}
        autoFocus
        autoComplete="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        onChange={(event) => {
          setTitle(event.target.value);
        }}
      />
      <label className="todo-editor__label" htmlFor={contentId}>
        Notes
      </label>
      <textarea
        id={contentId}
        className="todo-editor__content"
        value={content}
        readOnly={readOnly}
        rows={3}
        placeholder="Add details (Shift+Enter for a new line)"
        onChange={(event) => {
          setContent(event.target.value);
        }}
      />
      <div className="todo-editor__due">
        <div className="todo-editor__due-field">
          <label className="todo-editor__label" htmlFor={dueDateId}>
            Due date
          </label>
          <input
            id={dueDateId}
            type="date"
            min="1900-01-01"
            max="9999-12-30"
            value={dueDate}
            readOnly={readOnly}
            onChange={(event) => {
              setDueDate(event.target.value);
              if (event.target.value === "") setDueTime("");
            }}
          />
        </div>
        <div className="todo-editor__due-field">
          <label className="todo-editor__label" htmlFor={dueTimeId}>
            Due time (optional)
          </label>
          <input
            id={dueTimeId}
            type="time"
            value={dueTime}
            readOnly={readOnly}
            disabled={dueDate === ""}
            onChange={(event) => {
              setDueTime(event.target.value);
            }}
          />
        </div>
        {dueDate === "" || readOnly ? null : (
          <button
            className="button"
            type="button"
            onClick={() => {
              setDueDate("");
              setDueTime("");
            }}
          >
            No due date
          </button>
        )}
      </div>
      {error ? (
        <p className="field-error" id={errorId} role="alert">
          {error}
        </p>
      ) : null}
      {readOnly ? (
        <div className="todo-editor__actions">
          <button className="button" type="button" onClick={() => void copyDraft()}>
            Copy my text
          </button>
          <button className="button" type="button" onClick={cancel}>
            Close
          </button>
          <span role="status">
            {copied === null ? "" : copied ? "Copied." : "Copying was not allowed: select the text and copy it."}
          </span>
        </div>
      ) : (
        <div className="todo-editor__actions">
          <button className="button button--primary" type="submit" disabled={saving !== null}>
            {saving ? "Saving…" : conflict ? "Save my version" : "Save"}
          </button>
          <button className="button" type="button" onClick={cancel}>
            {conflict ? "Discard my changes" : "Cancel"}
          </button>
        </div>
      )}
    </form>
  );
}
