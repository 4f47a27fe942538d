/**
 * Share links in the browser (docs/security.md, "Share links").
 *
 * A link is `<origin>/join#<secret>`: the secret is in the URL's fragment,
 * which browsers never send to a server (not in the request, not in a
 * Referer), so it reaches no access log, the Next.js server's included. The
 * join page moves it at once out of the address bar and the history
 * (`history.replaceState`) into this tab's sessionStorage, where it waits
 * while a signed-out visitor logs in or signs up (`/login?next=/join`), and
 * is dropped once used.
 */

const STORAGE_KEY = "minor-illusion.share-link";

/** The link an owner copies. */
export function joinUrl(origin: string, secret: string): string {
  return `${origin}/join#${secret}`;
}

/**
 * The secret this tab is about to use: taken from the address bar's
 * fragment when there is one (and the fragment cleared), else kept from
 * before a log-in.
 */
export function takeSecret(): string | null {
  const fragment = window.location.hash.slice(1);
  if (fragment) {
    window.sessionStorage.setItem(STORAGE_KEY, decodeURIComponent(fragment));
    window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
  }
  return window.sessionStorage.getItem(STORAGE_KEY);
}

/** Forgets the secret (joined, or the link does not work). */
export function forgetSecret(): void {
  window.sessionStorage.removeItem(STORAGE_KEY);
}
