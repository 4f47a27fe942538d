/**
 * How long the live stream waits before connecting again. Pure functions,
 * unit-tested; `live-stream.ts` uses them.
 */

/** What the server's `retry:` says before it has said anything (the protocol's own first line is `retry: 2000`). */
export const DEFAULT_RETRY_MS = 2000;
/** Never wait longer than this between attempts (a tab coming back to view does not wait at all). */
export const MAX_RETRY_MS = 20_000;

/**
 * The wait before reconnection attempt `attempt` (0 for the first after a
 * drop): the server's `retry:` doubled per failed attempt, capped, and
 * jittered down by up to half, so that every tab of a restarted server does
 * not come back in the same instant. `random` is Math.random (or a stand-in).
 */
export function reconnectDelay(attempt: number, retryMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_RETRY_MS, retryMs * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * `Retry-After` in milliseconds: whole seconds (what the backend sends) or an
 * HTTP date; null when missing or unreadable.
 */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | null {
  if (header === null) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its weekday or month; without letters it is garbage ("-5" would parse as a year).
  const date = /[a-z]/i.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
