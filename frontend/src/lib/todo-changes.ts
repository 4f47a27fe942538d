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
 *
 * A 412 that someone else caused is not the end of a change either
 * (`sendRebasing`): the todo is fetched again and the change is made once
 * more on that copy, with its version, when it still makes sense there — it
 * sets fields nobody else changed (a tick on a todo someone renamed). When
 * someone else set one of its fields to another value (both renamed it), it
 * is a conflict, refused as before and shown to the user; it is never
 * silently undone, and never silently wins over theirs.
 */
import type { Todo, TodoChanges } from "@/api/client";
import { ConflictError } from "@/api/errors";

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

/** The fields a change sets to a value (`after` / `before` name a place, not a value: a move is never rebased). */
const VALUE_FIELDS = ["title", "content", "completed", "due_date", "due_time", "due_zone"] as const;
type ValueField = (typeof VALUE_FIELDS)[number];

/** One field's value, as the API compares it: a due time is "HH:MM" in a change, "HH:MM:SS" in a todo. */
function fieldValue(field: ValueField, value: string | boolean | null | undefined): string | boolean | null {
  if (value === undefined) return null;
  return field === "due_time" && typeof value === "string" ? value.slice(0, 5) : value;
}

/**
 * A change made on the copy `base`, made again on the server's `current`
 * copy (after a 412). Returns what is still to send — `{}` when the server
 * already holds every value the change sets — or null when someone else
 * set one of its fields to another value than the change's: a conflict.
 * A move (`after` / `before`) is never rebased: null.
 */
export function rebaseChanges(changes: TodoChanges, base: Todo, current: Todo): TodoChanges | null {
  if (changes.after !== undefined || changes.before !== undefined) return null;
  const rest: TodoChanges = {};
  for (const field of VALUE_FIELDS) {
    if (!(field in changes)) continue;
    const wanted = fieldValue(field, changes[field]);
    const now = fieldValue(field, current[field]);
    if (now === wanted) continue;
    if (now !== fieldValue(field, base[field])) return null;
    Object.assign(rest, { [field]: changes[field] });
  }
  return rest;
}

/** A change refused because someone else set the same field: `current` is the server's copy that refused it. */
export class RebaseConflict extends ConflictError {
  readonly current: Todo;

  constructor(current: Todo) {
    super();
    this.name = "RebaseConflict";
    this.current = current;
  }
}

/** How `sendRebasing` reaches the server for one todo. */
export interface RebaseIo {
  update: (changes: TodoChanges, version: number) => Promise<Todo>;
  fetch: () => Promise<Todo>;
}

/**
 * Sends `changes` (made on the copy `base`) with If-Match `version`. On a
 * 412 the todo is fetched and the change made again on that copy
 * (`rebaseChanges`), once: a second 412 in that short while is a busy todo,
 * reported as the ConflictError it is. Rejects with a `RebaseConflict` when
 * the change no longer makes sense, and as `update` / `fetch` do otherwise
 * (a 404: deleted meanwhile).
 */
export async function sendRebasing(changes: TodoChanges, base: Todo, version: number, io: RebaseIo): Promise<Todo> {
  try {
    return await io.update(changes, version);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
  const current = await io.fetch();
  const rest = rebaseChanges(changes, base, current);
  if (rest === null) throw new RebaseConflict(current);
  if (Object.keys(rest).length === 0) return current;
  return io.update(rest, current.version);
}
