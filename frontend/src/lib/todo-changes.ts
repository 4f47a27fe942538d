/**
 * This tab's own changes to a todo (a tick, "Mark all", an edit, a
 * deletion), sent one after another per todo, each with the version the one
 * before it left. Changes to different todos still go in parallel.
 *
 * Why: the list shows a change at once (src/lib/live-todos.ts), so the user
 * can make the next one before the server has answered the first. Sent at
 * once, the second would carry the version from before the first (If-Match)
 * and be refused with 412 — a conflict with nobody but ourselves — or, sent
 * without If-Match, it could overtake the first and lose the user's last
 * intent. So a change waits until the earlier ones to that todo have
 * settled, and is then sent with the version the server's answer gave.
 *
 * Which version: a change is made on a copy of the todo at version `base`
 * (the copy shown, which during an earlier change is still its old version).
 * When the server's answer to one of our changes sent with version `v` is
 * `v + 1`, nobody else changed the todo in between, so the versions this tab
 * stepped through one by one are all "ours": a change made on any of them is
 * sent with the newest. A version someone else produced is never skipped,
 * so If-Match still catches a change made elsewhere.
 *
 * When an earlier change fails (412: changed elsewhere; 404: deleted; 403;
 * a network error), the later one is not dropped: it is still sent, with the
 * version it was made on (or the newest of our own versions after it). The
 * server judges it on its own: an unconditional tick still lands (the user's
 * last intent wins), and a conditional change made on a copy the server no
 * longer has gets its own 412 or 404, which the caller reports as it does
 * any refusal (the conflict notice or panel).
 */
import type { Todo } from "@/api/client";

/** Work done one after another: `tail` settles (either way) when the last one queued has; null when none is on its way. */
export interface Turns {
  tail: Promise<void> | null;
}

/**
 * Runs `run` once the work queued in `turns` before it has settled (at once
 * when none is on its way), whether that work succeeded or failed. Settles as
 * `run` does.
 */
export function inTurn<T>(turns: Turns, run: () => Promise<T>): Promise<T> {
  const result = turns.tail ? turns.tail.then(run) : run();
  const settled = result.then(
    () => undefined,
    () => undefined,
  );
  turns.tail = settled;
  void settled.then(() => {
    if (turns.tail === settled) turns.tail = null;
  });
  return result;
}

interface Lane extends Turns {
  /** Versions only this tab's changes stepped through, one after another: a change made on one of them is made on `to`. */
  own: { from: number; to: number } | null;
}

export class TodoChangeQueue {
  private readonly lanes = new Map<string, Lane>();

  /**
   * The version to expect (If-Match) for a change made on a copy at `base`:
   * the newest of this tab's own versions that followed it, else `base`.
   */
  expectedVersion(id: string, base: number): number {
    const own = this.lanes.get(id)?.own;
    return own && base >= own.from && base <= own.to ? own.to : base;
  }

  /**
   * Sends a change to todo `id` made on its copy at version `base`, once the
   * earlier ones to it have settled (at once when none is on its way).
   * `send` gets the version to expect and resolves to the server's copy, or
   * null when the change deleted the todo. Settles as `send` does.
   */
  enqueue<T extends Todo | null>(id: string, base: number, send: (version: number) => Promise<T>): Promise<T> {
    const lane = this.lanes.get(id) ?? { tail: null, own: null };
    this.lanes.set(id, lane);
    return inTurn(lane, async () => {
      const version = this.expectedVersion(id, base);
      const answer = await send(version);
      this.learn(lane, version, answer);
      return answer;
    });
  }

  /** Takes in the server's answer to a change sent with `sent`. */
  private learn(lane: Lane, sent: number, answer: Todo | null): void {
    if (answer === null || answer.version !== sent + 1) {
      // Deleted, or someone else's change came in between (only possible without If-Match): nothing is ours alone.
      lane.own = null;
      return;
    }
    lane.own = lane.own?.to === sent ? { from: lane.own.from, to: answer.version } : { from: sent, to: answer.version };
  }
}
