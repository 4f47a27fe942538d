/**
 * The changes this tab makes to its own session: a new password (the server
 * revokes every earlier token, this tab's too, and hands back a fresh one),
 * signing out everywhere, deleting the account.
 *
 * Each of them also ends the session's live stream with `session.ended`, and
 * that event can arrive before the answer to the request that caused it.
 * The live stream therefore waits for these changes to settle before it
 * decides that the session ended elsewhere: by then this tab holds its new
 * token, or has already left for the login page itself.
 */

const running = new Set<Promise<unknown>>();

/** Runs `change` (which stores the new token, or ends the session) as one of this tab's own. */
export async function changeOwnSession<T>(change: () => Promise<T>): Promise<T> {
  const promise = change();
  running.add(promise);
  try {
    return await promise;
  } finally {
    running.delete(promise);
  }
}

/** Resolves once no change of this tab's own session is running. */
export async function ownSessionChangesSettled(): Promise<void> {
  while (running.size > 0) await Promise.allSettled([...running]);
}
