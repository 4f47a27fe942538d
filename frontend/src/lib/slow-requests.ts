/**
 * The API requests the server has not answered for a few seconds, so the
 * header can say "Still trying to reach the server…" instead of "Live" while
 * a frozen backend holds every click. The live stream alone would notice a
 * silent server only after three missed heartbeats (45 s).
 *
 * A small store for React's `useSyncExternalStore`: `started`/`ended` come from
 * the API client's middleware (src/api/client.ts), keyed by openapi-fetch's
 * request id.
 */
export const SLOW_AFTER_MS = 4000;

export class SlowRequests {
  private readonly slow = new Set<string>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly listeners = new Set<() => void>();

  started(id: string): void {
    const timer = setTimeout(() => {
      this.timers.delete(id);
      this.slow.add(id);
      this.notify();
    }, SLOW_AFTER_MS);
    this.timers.set(id, timer);
  }

  ended(id: string): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    if (this.slow.delete(id)) this.notify();
  }

  /** How many requests have been waiting longer than SLOW_AFTER_MS. */
  readonly count = (): number => this.slow.size;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

/** This tab's: every API client it creates reports here. */
export const slowRequests = new SlowRequests();
