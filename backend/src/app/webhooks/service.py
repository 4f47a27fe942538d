"""Webhook endpoint work for their owners: registering, changing, rotating the secret,
deleting; the delivery log and "send again". Delivering is the dispatcher's
(`app.webhooks.dispatcher`); what may be sent where, `app.webhooks.ssrf`.

The decisions (who may register what, the secret's life, ordering and retries) are
written once in docs/webhooks.md.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app import access
from app.access import Role
from app.daos import daos
from app.platform.db import Database
from app.platform.errors import TooManyWebhooksError, WebhookDeliveryNotFoundError
from app.platform.security import Caller
from app.platform.tables import utcnow
from app.webhooks import ssrf
from app.webhooks.repository import Message
from app.webhooks.schemas import (
    DeliveryPublic,
    WebhookCreate,
    WebhookPublic,
    WebhookUpdate,
    WebhookWithSecret,
)
from app.webhooks.tables import WebhookDelivery, WebhookEndpoint

MAX_ENDPOINTS = 20
# After a rotation the previous secret signs too, for this long: a receiver has a day
# to switch to the new one without refusing a delivery.
SECRET_OVERLAP = timedelta(hours=24)
SECRET_PREFIX = "whsec_"  # noqa: S105 (the Standard Webhooks secret format, not a secret)


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def public(endpoint: WebhookEndpoint) -> WebhookPublic:
    now = utcnow()
    until = endpoint.previous_secret_until
    return WebhookPublic(
        id=endpoint.id,
        url=endpoint.url,
        list_id=endpoint.list_id,
        event_types=endpoint.event_types.split(),
        created_at=endpoint.created_at,
        enabled=endpoint.disabled_at is None,
        disabled_at=endpoint.disabled_at,
        disabled_reason=endpoint.disabled_reason,
        previous_secret_until=until if until is not None and until > now else None,
    )


def _with_secret(endpoint: WebhookEndpoint) -> WebhookWithSecret:
    return WebhookWithSecret(**public(endpoint).model_dump(), secret=endpoint.secret)


def delivery_public(delivery: WebhookDelivery) -> DeliveryPublic:
    return DeliveryPublic(
        id=delivery.id,
        msg_id=delivery.msg_id,
        event_type=delivery.kind,
        state=delivery.state,
        created_at=delivery.created_at,
        attempts=delivery.attempts,
        last_attempt_at=delivery.last_attempt_at,
        next_attempt_at=delivery.next_attempt_at if delivery.state == "pending" else None,
        last_status=delivery.last_status,
        last_latency_ms=delivery.last_latency_ms,
        last_error=delivery.last_error,
    )


async def create(
    db: Database, caller: Caller, data: WebhookCreate, *, allow_loopback_http: bool
) -> WebhookWithSecret:
    """A new endpoint, with its secret. Its URL must pass the SSRF checks now (and does
    again at every delivery); its list, if any, must be one the caller owns."""
    await ssrf.resolve(data.url, allow_loopback_http=allow_loopback_http)
    endpoint = WebhookEndpoint(
        owner_id=caller.user_id,
        list_id=data.list_id,
        url=data.url,
        event_types=" ".join(sorted(set(data.event_types))),
        secret=new_secret(),
    )

    async def create(conn: AsyncConnection) -> None:
        await daos.users.get_for_caller(conn, caller)  # 401 once revoked
        if await daos.webhooks.count(conn, caller) >= MAX_ENDPOINTS:
            raise TooManyWebhooksError(MAX_ENDPOINTS)
        if data.list_id is not None:
            found = await daos.lists.get(conn, caller, data.list_id)  # 404 for a non-member
            access.require(found.role, Role.owner, where="in the list to get its events")
        await daos.webhooks.create(conn, endpoint)

    await db.write(create)
    return _with_secret(endpoint)


async def mine(db: Database, caller: Caller) -> list[WebhookPublic]:
    async def read(conn: AsyncConnection) -> list[WebhookPublic]:
        found = await daos.webhooks.mine(conn, caller)
        if not found:
            await daos.users.get_for_caller(conn, caller)  # 401 once revoked
        return [public(endpoint) for endpoint in found]

    return await db.read(read)


async def get(db: Database, caller: Caller, endpoint_id: uuid.UUID) -> WebhookPublic:
    return public(await db.read(lambda conn: daos.webhooks.get(conn, caller, endpoint_id)))


async def update(
    db: Database,
    caller: Caller,
    endpoint_id: uuid.UUID,
    changes: WebhookUpdate,
    *,
    allow_loopback_http: bool,
) -> WebhookPublic:
    """Change the URL (checked again), the event types, or whether it is enabled."""
    if changes.url is not None:
        await ssrf.resolve(changes.url, allow_loopback_http=allow_loopback_http)
    values: dict[str, Any] = {}
    if changes.url is not None:
        values["url"] = changes.url
    if changes.event_types is not None:
        values["event_types"] = " ".join(sorted(set(changes.event_types)))
    if changes.enabled is True:
        values.update(disabled_at=None, disabled_reason=None)

    async def change(conn: AsyncConnection) -> WebhookEndpoint:
        endpoint = await daos.webhooks.get(conn, caller, endpoint_id)
        update = dict(values)
        if changes.enabled is False and endpoint.disabled_at is None:
            update.update(disabled_at=utcnow(), disabled_reason="Disabled by its owner.")
        if update:
            await daos.webhooks.update(conn, endpoint_id, update)
        return endpoint.model_copy(update=update)

    return public(await db.write(change))


async def rotate_secret(db: Database, caller: Caller, endpoint_id: uuid.UUID) -> WebhookWithSecret:
    """A new secret; the one it replaces signs too for SECRET_OVERLAP (each delivery
    then carries both signatures, as Standard Webhooks allows)."""
    secret = new_secret()

    async def rotate(conn: AsyncConnection) -> WebhookEndpoint:
        endpoint = await daos.webhooks.get(conn, caller, endpoint_id)
        values = {
            "secret": secret,
            "previous_secret": endpoint.secret,
            "previous_secret_until": utcnow() + SECRET_OVERLAP,
        }
        await daos.webhooks.update(conn, endpoint_id, values)
        return endpoint.model_copy(update=values)

    return _with_secret(await db.write(rotate))


async def delete(db: Database, caller: Caller, endpoint_id: uuid.UUID) -> None:
    """Delete an endpoint and its delivery log: nothing more is sent to it."""
    await db.write_statement(lambda conn: daos.webhooks.delete(conn, caller, endpoint_id))


async def deliveries(
    db: Database, caller: Caller, endpoint_id: uuid.UUID, *, limit: int
) -> list[DeliveryPublic]:
    """The endpoint's latest deliveries, newest first."""

    async def read(conn: AsyncConnection) -> list[WebhookDelivery]:
        await daos.webhooks.get(conn, caller, endpoint_id)
        return await daos.webhooks.deliveries(conn, endpoint_id, limit=limit)

    return [delivery_public(found) for found in await db.read(read)]


async def send_again(
    db: Database, caller: Caller, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
) -> DeliveryPublic:
    """Queue a delivery's message again, after the endpoint's others, with the same
    `webhook-id` (a receiver that keeps the ids it has seen ignores it)."""

    async def queue(conn: AsyncConnection) -> WebhookDelivery:
        await daos.webhooks.get(conn, caller, endpoint_id)
        found = await daos.webhooks.delivery(conn, endpoint_id, delivery_id)
        if found is None:
            raise WebhookDeliveryNotFoundError
        message = Message(found.msg_id, found.kind, found.payload)
        queued = await daos.webhooks.enqueue(conn, {endpoint_id: [message]}, utcnow())
        if not queued:
            raise WebhookDeliveryNotFoundError  # the endpoint went meanwhile
        return queued[0]

    return delivery_public(await db.write(queue))
