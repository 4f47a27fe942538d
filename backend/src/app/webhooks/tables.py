"""The webhooks domain's tables (statements: `repository.py`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import BigInteger, Column, Index, Text
from sqlmodel import Field

from app.platform.tables import BaseDAO, utcnow

URL_MAX = 2000
SECRET_LENGTH = 50  # "whsec_" and 32 random bytes in base64
KIND_MAX = 32
ERROR_MAX = 200
DISPATCHER = "webhooks"  # the one lease row's name


class WebhookEndpoint(BaseDAO, table=True):
    """An owner's endpoint: the URL that gets their lists' events. The secrets are kept
    as they are (not hashed): signing needs them. `previous_secret` also signs until
    `previous_secret_until`, so a receiver changing secrets accepts both meanwhile."""

    __tablename__ = "webhook_endpoint"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    # A list the owner owns; None for every list they own.
    list_id: uuid.UUID | None = Field(
        default=None, foreign_key="todo_list.id", ondelete="CASCADE", index=True
    )
    url: str = Field(max_length=URL_MAX)
    event_types: str = Field(sa_column=Column(Text(), nullable=False))  # space-separated
    secret: str = Field(max_length=SECRET_LENGTH)
    previous_secret: str | None = Field(default=None, max_length=SECRET_LENGTH)
    previous_secret_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    disabled_at: datetime | None = None
    disabled_reason: str | None = Field(default=None, max_length=ERROR_MAX)
    # The last `seq` given to one of its deliveries: they are sent in `seq` order.
    last_seq: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False))


class WebhookDelivery(BaseDAO, table=True):
    """One message to one endpoint, and how sending it went: the delivery log. A
    message is sent again (same `msg_id`) until it is delivered, so a receiver that
    missed an answer sees it twice: at-least-once, de-duplicated by `webhook-id`."""

    __tablename__ = "webhook_delivery"
    __table_args__: ClassVar[Any] = (
        Index("ix_webhook_delivery_endpoint_id_seq", "endpoint_id", "seq", unique=True),
        Index("ix_webhook_delivery_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    endpoint_id: uuid.UUID = Field(foreign_key="webhook_endpoint.id", ondelete="CASCADE")
    seq: int = Field(sa_column=Column(BigInteger(), nullable=False))
    msg_id: str = Field(max_length=40)  # the `webhook-id` header
    kind: str = Field(max_length=KIND_MAX)
    payload: str = Field(sa_column=Column(Text(), nullable=False))
    state: str = Field(max_length=10)  # pending, delivered or failed
    created_at: datetime = Field(default_factory=utcnow)
    attempts: int = 0
    first_attempt_at: datetime | None = None
    last_attempt_at: datetime | None = None
    next_attempt_at: datetime | None = None
    last_status: int | None = None  # the receiver's HTTP status, None when none came
    last_latency_ms: int | None = None
    last_error: str | None = Field(default=None, max_length=ERROR_MAX)


class WebhookDispatcher(BaseDAO, table=True):
    """The one dispatcher's lease and its place in the event log: one row. Whoever
    holds an unexpired lease copies the log's events into deliveries and sends them;
    every process of the cluster tries to take it (`app.webhooks.dispatcher`)."""

    __tablename__ = "webhook_dispatcher"

    name: str = Field(primary_key=True, max_length=32)
    holder: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = None
    # The last event of the log copied into deliveries, as `Position.text()`: text,
    # since CockroachDB's majors (HLC timestamps) outgrow BIGINT.
    log_position: str = Field(default="0.0", max_length=64)
