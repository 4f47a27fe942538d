/**
 * What the page shows when something failed: a sentence for people and,
 * when the server failed (5xx), the request's id to quote in a bug report.
 */
import { ApiError } from "@/api/errors";

export interface Problem {
  message: string;
  /** The failed request's `X-Request-ID`, or null. */
  reference: string | null;
}

export function problemOf(error: unknown): Problem {
  if (error instanceof ApiError) return { message: error.message, reference: error.reference };
  return { message: "Something went wrong. Reload the page and try again.", reference: null };
}

/** A problem this page words itself (no request behind it). */
export function problem(message: string): Problem {
  return { message, reference: null };
}
