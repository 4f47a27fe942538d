"use client";

import { useState } from "react";

/**
 * The failed request's id (`X-Request-ID`), selectable and with a copy
 * button, so a bug report can point at the server's log line.
 */
export function ErrorReference({ reference }: { reference: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <span className="error-reference">
      <span>
        Reference: <code className="error-reference__id">{reference}</code>
      </span>
      <button
        className="text-button error-reference__copy"
        type="button"
        onClick={() => {
          void navigator.clipboard.writeText(reference).then(
            () => {
              setCopied(true);
            },
            () => {
              // No clipboard (permission, insecure origin): the id stays selectable.
            },
          );
        }}
      >
        {copied ? "Copied" : "Copy"}
      </button>
    </span>
  );
}
