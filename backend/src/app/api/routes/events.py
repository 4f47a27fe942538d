"""Live updates: `GET /events` streams every change the caller may see, as it commits,
on any replica (Server-Sent Events; the why and how are in docs/architecture.md).

The stream starts with `ready`; each event's `id` is a cursor that a reconnecting
client sends back as `Last-Event-ID` to get exactly what it missed (or, past the
retention window, one `resync`). It ends with `session.ended` when the token stops
being good, and without a word when the server stops or the client falls too far
behind: a client reconnects and resumes.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header

from app.api.deps import BrokerDep, CurrentCaller, SettingsDep, TokenExpiry
from app.api.errors import error_responses
from app.api.sse import EventStreamResponse

router = APIRouter(prefix="/events", tags=["events"])

LAST_EVENT_ID_MAX = 100

STREAM_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A stream of `LiveEvent`s, each an SSE message whose `event` is its "
        "`type` and whose `data` is its JSON; a comment line every few seconds keeps it open.",
    },
    **error_responses(
        401,
        429,
        503,
        meanings={
            429: "Your account has as many streams open on this server as it allows "
            "(EVENTS_MAX_STREAMS_PER_USER): close one, or retry after `Retry-After`.",
        },
    ),
}


@router.get("", status_code=200, response_class=EventStreamResponse, responses=STREAM_RESPONSE)
async def stream_events(
    caller: CurrentCaller,
    expires_at: TokenExpiry,
    broker: BrokerDep,
    settings: SettingsDep,
    last_event_id: Annotated[
        str | None,
        Header(
            max_length=LAST_EVENT_ID_MAX,
            description="The `id` of the last event received: resume after it.",
        ),
    ] = None,
) -> EventStreamResponse:
    """Changes to your lists and their todos, as they happen, from every client and
    server: a Server-Sent Events stream. Send `Last-Event-ID` on reconnecting to get
    what you missed."""
    subscription, first = await broker.subscribe(caller, last_event_id)
    return EventStreamResponse(
        broker,
        subscription,
        first,
        heartbeat=settings.events_heartbeat_seconds,
        expires_at=expires_at,
    )
