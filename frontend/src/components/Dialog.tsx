"use client";

import { type ReactNode, useEffect, useId, useRef } from "react";

interface DialogProps {
  title: string;
  /** Closes the dialog: the parent stops rendering it. Called on Escape and by the close button. */
  onClose: () => void;
  children: ReactNode;
  /** A sentence under the title, read out with it. */
  description?: ReactNode;
  /** "drawer" slides in from the side (the lists menu on phones). */
  variant?: "dialog" | "drawer";
}

/**
 * A modal dialog on the native `<dialog>` element: `showModal()` makes the
 * rest of the page inert, so Tab stays inside and screen readers see only
 * the dialog. Render it only while it is open (`{open ? <Dialog …/> : null}`).
 *
 * Focus: on opening it moves to the control marked `data-autofocus`, else
 * the first field, else the Close button (never to a button that acts, so
 * an Enter pressed at once does nothing rash); Escape closes; on closing,
 * focus returns to what had it before (the button that opened the dialog).
 */
export function Dialog({ title, onClose, children, description, variant = "dialog" }: DialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    element.showModal();
    const first =
      element.querySelector<HTMLElement>("[data-autofocus]") ??
      element.querySelector<HTMLElement>("input, select, textarea") ??
      element.querySelector<HTMLElement>(".dialog__close");
    first?.focus();
    return () => {
      element.close();
      opener?.focus();
    };
  }, []);

  return (
    <dialog
      ref={dialog}
      className={`dialog dialog--${variant}`}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      // Escape: the browser fires `cancel` and would close the dialog by
      // itself; let React's state decide instead, so the two never disagree.
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.preventDefault();
          onClose();
        }
      }}
    >
      <div className="dialog__header">
        <h2 id={titleId} className="dialog__title">
          {title}
        </h2>
        <button className="icon-button dialog__close" type="button" aria-label="Close" onClick={onClose}>
          <svg aria-hidden="true" viewBox="0 0 20 20" width="18" height="18">
            <path d="m5 5 10 10M15 5 5 15" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
          </svg>
        </button>
      </div>
      {description ? (
        <p id={descriptionId} className="dialog__description">
          {description}
        </p>
      ) : null}
      {children}
    </dialog>
  );
}
