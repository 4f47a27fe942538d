/**
 * What this tab knows about its session, now that the session itself is an
 * HttpOnly cookie no script can read (docs/security.md, "Browser sessions").
 *
 * It holds no token, only a "mark": a number that is new each time the
 * session is (re)started — logging in, or a new password, which brings a new
 * cookie — and null once this tab has signed out. Code that lives with one
 * session (the live stream) keys on the mark. Every tab of a browser shares
 * the cookie, so the tabs tell each other through a BroadcastChannel: log out
 * in one and the others go to the log-in page; log in in one and a log-in
 * page open in another moves on.
 *
 * Tabs signed in with the bearer token that earlier versions kept in
 * localStorage lose it here (`forgetLegacyToken`): that token was readable by
 * any script in the page, so it is deleted, not moved into a cookie, and the
 * tab logs in again (the log-in page says why).
 */

type Change = "signed-in" | "renewed" | "signed-out";

const LEGACY_TOKEN_KEY = "minor-illusion.token";
const CHANNEL = "minor-illusion.session";

let mark: number | null = 1;
const listeners = new Set<() => void>();
let channel: BroadcastChannel | null | undefined;

function notify(): void {
  for (const listener of listeners) listener();
}

function apply(change: Change): void {
  if (change === "signed-out") mark = null;
  else mark = (mark ?? 0) + 1;
  notify();
}

/** The tab's channel to its siblings; null where there is none (old browsers, tests without it). */
function siblings(): BroadcastChannel | null {
  if (channel !== undefined) return channel;
  channel = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(CHANNEL);
  channel?.addEventListener("message", (event: MessageEvent<unknown>) => {
    if (event.data === "signed-in" || event.data === "renewed" || event.data === "signed-out") apply(event.data);
  });
  return channel;
}

function change(what: Change): void {
  apply(what);
  siblings()?.postMessage(what);
}

/** The current mark: a number while signed in, null after signing out here or in a sibling tab. */
function get(): number | null {
  return mark;
}

/** Subscribe in the shape `useSyncExternalStore` expects. */
function subscribe(listener: () => void): () => void {
  siblings();
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

let legacyTokenFound: boolean | undefined;

/**
 * Deletes the token an earlier version kept in localStorage, once per page
 * load; true when there was one (the log-in page then says why it asks).
 */
export function forgetLegacyToken(): boolean {
  if (legacyTokenFound !== undefined) return legacyTokenFound;
  try {
    legacyTokenFound = window.localStorage.getItem(LEGACY_TOKEN_KEY) !== null;
    window.localStorage.removeItem(LEGACY_TOKEN_KEY);
  } catch {
    legacyTokenFound = false; // storage disabled (private mode, blocked cookies)
  }
  return legacyTokenFound;
}

export const sessionStore = {
  get,
  subscribe,
  /** The server set a session cookie for this browser (log-in). */
  signedIn: () => {
    change("signed-in");
  },
  /** The cookie now holds a new token (a new password). */
  renewed: () => {
    change("renewed");
  },
  /** The cookie is gone (log-out, or the server said the session is over). */
  signedOut: () => {
    change("signed-out");
  },
};
