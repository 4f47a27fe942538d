"""What clients send and get back about webhook endpoints and their deliveries."""

from __future__ import annotations

import typing
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from app.live.schemas import ListChange
from app.platform.fields import examples
from app.todos.schemas import EXAMPLE_LIST_ID
from app.webhooks.tables import URL_MAX

MAX_DELIVERIES_SHOWN = 100


def _kinds() -> tuple[str, ...]:
    """Every change a list's members are told of: what an endpoint may ask for."""
    kinds: list[str] = []
    for event in typing.get_args(ListChange):
        kinds.extend(typing.get_args(event.model_fields["type"].annotation))
    return tuple(kinds)


EVENT_TYPES = _kinds()
EventType = Literal[EVENT_TYPES]  # type: ignore[valid-type]
DeliveryState = Literal["pending", "delivered", "failed"]
WebhookURL = Annotated[
    str,
    Field(
        min_length=1,
        max_length=URL_MAX,
        # Printable ASCII, no spaces: no NUL (which PostgreSQL cannot store) nor any control
        # character reaches the URL parser; other characters are percent-encoded, and a
        # name that is not ASCII is written in its IDNA form (xn--...).
        pattern=r"^[\x21-\x7e]+$",
        description="Where deliveries go: an `https://` URL whose name resolves to public "
        "addresses only (printable ASCII: percent-encode the rest).",
    ),
]
EXAMPLE_ENDPOINT = {
    "id": "5d0c7a1e-3f2b-4c8d-9e6a-1b2c3d4e5f60",
    "url": "https://hooks.example.com/todos",
    "list_id": EXAMPLE_LIST_ID,
    "event_types": ["todo.created", "todo.updated"],
    "created_at": "2026-12-07T09:00:00Z",
    # A disabled one, whose secret was rotated: every field shows (nulls otherwise).
    "enabled": False,
    "disabled_at": "2026-12-08T10:00:00Z",
    "disabled_reason": "A delivery failed for 1 day, 0:00:00 of retries: Answered 503",
    "previous_secret_until": "2026-12-08T09:00:00Z",
}
EXAMPLE_DELIVERY = {
    "id": "0f3c2b1a-9d8e-4f7a-b6c5-d4e3f2a1b0c9",
    "msg_id": "msg_2b7f0c9e4d5a4e1f8a3b6c7d9e0f1a2b",
    "event_type": "todo.created",
    "state": "pending",
    "created_at": "2026-12-07T09:00:00Z",
    "attempts": 3,
    "last_attempt_at": "2026-12-07T09:00:35Z",
    "next_attempt_at": "2026-12-07T09:01:15Z",
    "last_status": 503,
    "last_latency_ms": 48,
    "last_error": "Answered 503",
}


class WebhookCreate(BaseModel):
    """A new webhook endpoint."""

    model_config = examples(
        {"url": "https://hooks.example.com/todos", "event_types": ["todo.created"]},
        {
            "url": "https://hooks.example.com/groceries",
            "list_id": EXAMPLE_LIST_ID,
            "event_types": ["todo.created", "todo.updated", "todo.deleted"],
        },
    )

    url: WebhookURL
    list_id: uuid.UUID | None = Field(
        default=None,
        description="A list you own; null for every list you own, present and future.",
    )
    event_types: list[EventType] = Field(
        min_length=1,
        max_length=len(EVENT_TYPES),
        description="The kinds of event to deliver (as `GET /events` names them).",
    )


class WebhookUpdate(BaseModel):
    """Changes to an endpoint: each field left out stays as it is."""

    model_config = examples({"enabled": True}, {"event_types": ["todo.updated"]})

    url: WebhookURL | None = Field(
        default=None, description="A new URL, checked as at registration."
    )
    event_types: list[EventType] | None = Field(
        default=None,
        min_length=1,
        max_length=len(EVENT_TYPES),
        description="The kinds of event to deliver from now on.",
    )
    enabled: bool | None = Field(
        default=None,
        description="true enables a disabled endpoint: its deliveries resume in order.",
    )


class WebhookPublic(BaseModel):
    """A webhook endpoint, as its owner sees it: never its secret."""

    model_config = examples(EXAMPLE_ENDPOINT)

    id: uuid.UUID = Field(description="The endpoint's id.")
    url: str = Field(description="Where its deliveries go.")
    list_id: uuid.UUID | None = Field(description="Its list, or null for every list you own.")
    event_types: list[str] = Field(description="The kinds of event it gets.")
    created_at: datetime = Field(description="When it was registered.")
    enabled: bool = Field(description="false once disabled, by you or after a day of failures.")
    disabled_at: datetime | None = Field(description="When it was disabled, if it is.")
    disabled_reason: str | None = Field(description="Why it was disabled.")
    previous_secret_until: datetime | None = Field(
        description="After a rotation: until when the previous secret signs too."
    )


class WebhookWithSecret(WebhookPublic):
    """An endpoint with its signing secret: shown when created or rotated, never again."""

    model_config = examples(
        {**EXAMPLE_ENDPOINT, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
    )

    secret: str = Field(
        description="The Standard Webhooks signing secret (`whsec_...`): verify each "
        "delivery's `webhook-signature` with it. Shown once."
    )


class DeliveryPublic(BaseModel):
    """One message to an endpoint and how sending it went."""

    model_config = examples(EXAMPLE_DELIVERY)

    id: uuid.UUID = Field(description="The delivery's id (to send it again).")
    msg_id: str = Field(description="Its `webhook-id` header: the same on every attempt.")
    event_type: str = Field(description="The event's kind (its payload's `type`).")
    state: DeliveryState = Field(
        description="`pending` (to be sent or retried), `delivered`, "
        "or `failed` (retried for a day without success)."
    )
    created_at: datetime = Field(description="When it was queued.")
    attempts: int = Field(description="Attempts made so far.")
    last_attempt_at: datetime | None = Field(description="When it was last tried.")
    next_attempt_at: datetime | None = Field(description="When it is tried next, if pending.")
    last_status: int | None = Field(description="The receiver's last HTTP status, if it answered.")
    last_latency_ms: int | None = Field(description="How long the last attempt took.")
    last_error: str | None = Field(description="What went wrong last, in words.")
