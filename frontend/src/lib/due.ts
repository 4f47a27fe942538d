/**
 * Due dates on the client (the server's rules: docs/architecture.md, "Due
 * dates"): the viewer's time zone, a todo's due date in words, and whether it
 * is overdue. Dates and times are shown as the user set them, in the zone they
 * set them in; the zone is named when it is not the viewer's.
 */
import type { Todo, TimeZone } from "@/api/client";

/** The browser's IANA time zone, sent with every due date and due view. */
export function browserTimeZone(): TimeZone {
  // The server checks the name against its tz database (a 422 if unknown).
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The due views, as the sidebar and `/due/<view>` name them. */
export const DUE_VIEWS = [
  { view: "today", label: "Today" },
  { view: "upcoming", label: "Upcoming" },
  { view: "overdue", label: "Overdue" },
] as const;
export type DueView = (typeof DUE_VIEWS)[number]["view"];

export function isDueView(value: string): value is DueView {
  return DUE_VIEWS.some((entry) => entry.view === value);
}

/** Open and past its due instant (an all-day date: once its day has ended in its zone). */
export function isOverdue(todo: Pick<Todo, "completed" | "due_at">, now: Date = new Date()): boolean {
  return !todo.completed && todo.due_at != null && new Date(todo.due_at).getTime() < now.getTime();
}

/** "Tue, 8 Dec 2026", "Tue, 8 Dec 2026, 17:00", plus "(Europe/Berlin)" when not the viewer's zone. */
export function dueLabel(todo: Pick<Todo, "due_date" | "due_time" | "due_zone">, viewerZone?: string): string | null {
  if (!todo.due_date) return null;
  // The calendar date itself, not an instant: read and formatted in UTC so no zone shifts it.
  const date = new Date(`${todo.due_date}T00:00:00Z`);
  let text = new Intl.DateTimeFormat(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  }).format(date);
  if (todo.due_time) text += `, ${todo.due_time.slice(0, 5)}`;
  if (todo.due_zone && todo.due_zone !== (viewerZone ?? browserTimeZone())) text += ` (${todo.due_zone})`;
  return text;
}
