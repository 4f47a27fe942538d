import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

// Unmount what each test rendered (Testing Library only does this by itself
// when the test runner exposes globals).
afterEach(cleanup);

// jsdom has the <dialog> element but not its methods. These stand-ins only
// toggle `open`; the browser's own (a modal, inert page behind) are what the
// e2e tests exercise. Dialog.tsx moves focus and handles Escape itself, so
// those are testable here.
// (Some test files run in the node environment, without any DOM.)
if (typeof HTMLDialogElement !== "undefined" && typeof HTMLDialogElement.prototype.showModal !== "function") {
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.setAttribute("open", "");
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    this.removeAttribute("open");
  };
}
