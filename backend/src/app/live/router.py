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

from fastapi import APIRouter, Depends, Header, Request
from pydantic import TypeAdapter

from app import access
from app.live.broker import Broker
from app.live.schemas import LiveEvent
from app.live.sse import EventStreamResponse
from app.platform.http.deps import CurrentCaller, SettingsDep, TokenExpiry
from app.platform.http.error_responses import error_responses

router = APIRouter(prefix="/events", tags=["events"])


async def get_broker(request: Request) -> Broker:
    broker: Broker = request.app.state.broker
    return broker


BrokerDep = Annotated[Broker, Depends(get_broker)]

LAST_EVENT_ID_MAX = 100

STREAM_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A stream of `LiveEvent`s, each an SSE message whose `event` is its "
        "`type` and whose `data` is its JSON; a comment line every few seconds keeps it open.",
    },
    **error_responses(
        401,
        403,
        429,
        503,
        meanings={
            403: "A personal access token for chosen lists: the stream needs one for all lists.",
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
    access.require_scope(caller, write=False)  # the stream covers every list
    subscription, first = await broker.subscribe(caller, last_event_id)
    return EventStreamResponse(
        broker,
        subscription,
        first,
        heartbeat=settings.events_heartbeat_seconds,
        expires_at=expires_at,
    )


EVENT_STREAM = "text/event-stream"
LIVE_EVENT_REF = "#/components/schemas/LiveEvent"


def document_live_events(document: dict[str, Any]) -> None:
    """The shapes `GET /events` streams: not a JSON response, so FastAPI does not
    collect them itself."""
    schema = TypeAdapter(LiveEvent).json_schema(ref_template="#/components/schemas/{model}")
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in schema.pop("$defs", {}).items():
        components.setdefault(name, definition)
    schema["description"] = "One message of `GET /events`; `type` tells which."
    components["LiveEvent"] = schema
    # The route's response class is the stream's, so FastAPI files every response under
    # its media type: the errors are JSON.
    operation = document["paths"]["/events"]["get"]
    for status_code, response in operation["responses"].items():
        streamed = response.get("content", {}).pop(EVENT_STREAM, None)
        if status_code == "200":
            response["content"] = {EVENT_STREAM: {"schema": {"$ref": LIVE_EVENT_REF}}}
        elif streamed is not None:
            response["content"]["application/json"] = streamed
