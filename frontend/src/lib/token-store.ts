/**
 * Keeps the access token (a JWT from POST /auth/login) in localStorage so a
 * reload stays logged in, and lets React components subscribe to changes
 * (logging out in one tab logs out the others through the `storage` event).
 */

const STORAGE_KEY = "minor-illusion.token";
const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

function get(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled (private mode, blocked cookies)
  }
}

function set(token: string): void {
  window.localStorage.setItem(STORAGE_KEY, token);
  notify();
}

function clear(): void {
  window.localStorage.removeItem(STORAGE_KEY);
  notify();
}

/** Subscribe in the shape `useSyncExternalStore` expects. */
function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key === STORAGE_KEY) listener();
  };
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", onStorage);
  };
}

export const tokenStore = { get, set, clear, subscribe };
