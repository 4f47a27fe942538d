"use client";

import { useEffect, useRef, useState } from "react";

import type { PendingDeletion } from "./useTodos";

/** How long the undo is offered. */
export const UNDO_MS = 5000;

interface UndoToastProps {
  /** The deletion to offer an undo for; null shows nothing. */
  deletion: PendingDeletion | null;
  onUndo: () => void;
  /** The toast went (time up, or dismissed): the deletion goes through. */
  onGone: () => void;
}

/**
 * "Deleted “X”. Undo" at the bottom of the screen for five seconds. The
 * region is always in the page and is a polite live region, so screen
 * readers announce each deletion; Undo is an ordinary button (Tab reaches
 * it). The time stops while the pointer is over the toast or focus is in it,
 * so nobody loses the undo while reaching for it.
 */
export function UndoToast({ deletion, onUndo, onGone }: UndoToastProps) {
  return (
    <div className="toast-region" role="status">
      {deletion ? <Toast key={deletion.id} message={deletion.message} onUndo={onUndo} onGone={onGone} /> : null}
    </div>
  );
}

function Toast({ message, onUndo, onGone }: { message: string; onUndo: () => void; onGone: () => void }) {
  const [held, setHeld] = useState({ pointer: false, focus: false });
  const remaining = useRef(UNDO_MS);
  const paused = held.pointer || held.focus;

  useEffect(() => {
    if (paused) return;
    const started = Date.now();
    const timer = setTimeout(() => {
      onGone();
    }, remaining.current);
    return () => {
      clearTimeout(timer);
      remaining.current = Math.max(0, remaining.current - (Date.now() - started));
    };
  }, [paused, onGone]);

  return (
    <div
      className="toast"
      onPointerEnter={() => {
        setHeld((previous) => ({ ...previous, pointer: true }));
      }}
      onPointerLeave={() => {
        setHeld((previous) => ({ ...previous, pointer: false }));
      }}
      onFocus={() => {
        setHeld((previous) => ({ ...previous, focus: true }));
      }}
      onBlur={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget)) setHeld((previous) => ({ ...previous, focus: false }));
      }}
    >
      <span className="toast__message">{message}</span>
      <button className="button button--small toast__undo" type="button" onClick={onUndo}>
        Undo
      </button>
      <button className="icon-button toast__close" type="button" aria-label="Dismiss" title="Dismiss" onClick={() => {
          onGone();
        }}>
        <svg aria-hidden="true" viewBox="0 0 20 20" width="16" height="16">
          <path d="m5 5 10 10M15 5 5 15" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
        </svg>
      </button>
    </div>
  );
}
