/**
 * The events of the live-updates stream (`GET /events`, Server-Sent Events),
 * typed from the backend's OpenAPI document (its `app/live/schemas.py`).
 *
 * Each SSE message's `event:` is the event's type and its `data:` one JSON
 * object whose `type` repeats it; `id:` is an opaque cursor the client sends
 * back as `Last-Event-ID` when it reconnects. The stream itself is read by
 * `src/lib/live-stream.ts`.
 */
import type { components } from "./schema";

type Schemas = components["schemas"];

/** Any event the stream carries. */
export type LiveEvent = Schemas["LiveEvent"];
/** Always first. `resumed`: the missed events follow; otherwise refetch what is shown. */
export type ReadyEvent = Schemas["Ready"];
/** The `Last-Event-ID` could not be resumed: refetch what is shown. */
export type ResyncEvent = Schemas["Resync"];
/** The token is no longer good; the server ends the stream after this. */
export type SessionEndedEvent = Schemas["SessionEnded"];
/** `todo.created` / `todo.updated`: `todo` as it is now. */
export type TodoChangedEvent = Schemas["TodoChanged"];
export type TodoMovedEvent = Schemas["TodoMoved"];
export type TodoDeletedEvent = Schemas["TodoDeleted"];
export type TodoEvent = TodoChangedEvent | TodoMovedEvent | TodoDeletedEvent;
/** `invitation.*`: to the invitee (their inbox) and to the list's owners (its pending invitations). */
export type InvitationEvent = Schemas["InvitationSent"] | Schemas["InvitationUpdated"] | Schemas["InvitationClosed"];

/** Every type this client knows (a Record, so the compiler says when the API adds one). */
const KNOWN_TYPES: Record<LiveEvent["type"], true> = {
  ready: true,
  resync: true,
  "session.ended": true,
  "todo.created": true,
  "todo.updated": true,
  "todo.moved": true,
  "todo.deleted": true,
  "list.renamed": true,
  "list.deleted": true,
  "member.added": true,
  "member.updated": true,
  "member.removed": true,
  "invitation.sent": true,
  "invitation.updated": true,
  "invitation.closed": true,
  "share_link.created": true,
  "share_link.revoked": true,
  "webhook.disabled": true,
};

/**
 * The event in one SSE message, or null for anything this client does not
 * know (a newer server's event type, data that is not a JSON object naming
 * its own type): those are skipped, never fatal.
 */
export function decodeLiveEvent(message: { type: string; data: string }): LiveEvent | null {
  if (!Object.hasOwn(KNOWN_TYPES, message.type)) return null;
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch {
    return null;
  }
  const namesItself = typeof data === "object" && data !== null && "type" in data && data.type === message.type;
  // The fields are the backend's contract (the OpenAPI schema above), trusted as such.
  return namesItself ? (data as LiveEvent) : null;
}

export function isInvitationEvent(event: LiveEvent): event is InvitationEvent {
  return event.type.startsWith("invitation.");
}

export function isTodoEvent(event: LiveEvent): event is TodoEvent {
  return event.type.startsWith("todo.");
}

/** Whether what is shown must be fetched again: a fresh start that resumed nothing, or a resync. */
export function needsRefetch(event: LiveEvent): boolean {
  return (event.type === "ready" && !event.resumed) || event.type === "resync";
}
