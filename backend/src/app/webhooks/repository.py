"""The `webhook_endpoint`, `webhook_delivery` and `webhook_dispatcher` tables and their
statements: an owner's (scoped with `app.access`), and the dispatcher's (unscoped: it
works for every owner)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Delete,
    Select,
    Update,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from app import access
from app.platform.errors import WebhookNotFoundError
from app.platform.security import Caller
from app.platform.tables import constant, insert_into, table
from app.webhooks.tables import (  # noqa: F401 (registers the tables)
    DISPATCHER,
    WebhookDelivery,
    WebhookDispatcher,
    WebhookEndpoint,
)

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


@dataclass(frozen=True, slots=True)
class Message:
    """A delivery to queue: `msg_id` is its `webhook-id`, the same for every attempt."""

    msg_id: str
    kind: str
    payload: str


@dataclass(frozen=True, slots=True)
class DueDelivery:
    """The next delivery of an endpoint, due now, with what sending it needs."""

    delivery: WebhookDelivery
    url: str
    secrets: tuple[str, ...]  # the current secret, and the previous one while it signs
    owner_id: uuid.UUID


class WebhookRepository:
    """`daos.webhooks`: every statement on webhook endpoints and their deliveries."""

    # --- an owner's --------------------------------------------------------------------
    @classmethod
    async def create(cls, conn: AsyncConnection, endpoint: WebhookEndpoint) -> None:
        await conn.execute(insert_into("webhook_endpoint"), endpoint.model_dump())

    @classmethod
    async def mine(cls, conn: AsyncConnection, caller: Caller) -> list[WebhookEndpoint]:
        """The caller's endpoints, oldest first."""
        rows = await conn.execute(_select_mine(), access.params(caller))
        return [WebhookEndpoint(**row._mapping) for row in rows]

    @classmethod
    async def count(cls, conn: AsyncConnection, caller: Caller) -> int:
        return int(await conn.scalar(_count_mine(), access.params(caller)) or 0)

    @classmethod
    async def get(
        cls, conn: AsyncConnection, caller: Caller, endpoint_id: uuid.UUID
    ) -> WebhookEndpoint:
        """One of the caller's endpoints; WebhookNotFoundError (404) for any other."""
        params = {**access.params(caller), "endpoint_id": endpoint_id}
        row = (await conn.execute(_select_one(), params)).one_or_none()
        if row is None:
            await access.require_live(conn, caller)
            raise WebhookNotFoundError
        return WebhookEndpoint(**row._mapping)

    @classmethod
    async def update(
        cls, conn: AsyncConnection, endpoint_id: uuid.UUID, values: Mapping[str, Any]
    ) -> None:
        """Change an endpoint the service found the caller's (`get`) in this transaction."""
        endpoints = table("webhook_endpoint")
        await conn.execute(update(endpoints).where(endpoints.c.id == endpoint_id).values(**values))

    @classmethod
    async def delete(cls, conn: AsyncConnection, caller: Caller, endpoint_id: uuid.UUID) -> None:
        """Delete one of the caller's endpoints and its delivery log."""
        params = {**access.params(caller), "endpoint_id": endpoint_id}
        result = await conn.execute(_delete_mine(), params)
        if result.rowcount == 0:
            await access.require_live(conn, caller)
            raise WebhookNotFoundError

    @classmethod
    async def deliveries(
        cls, conn: AsyncConnection, endpoint_id: uuid.UUID, *, limit: int
    ) -> list[WebhookDelivery]:
        """An endpoint's delivery log, newest first (its owner checked by the service)."""
        rows = await conn.execute(
            _select_deliveries(), {"endpoint_id": endpoint_id, "limit": limit}
        )
        return [WebhookDelivery(**row._mapping) for row in rows]

    @classmethod
    async def delivery(
        cls, conn: AsyncConnection, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
    ) -> WebhookDelivery | None:
        deliveries = table("webhook_delivery")
        row = (
            await conn.execute(
                select(deliveries).where(
                    deliveries.c.id == delivery_id, deliveries.c.endpoint_id == endpoint_id
                )
            )
        ).one_or_none()
        return None if row is None else WebhookDelivery(**row._mapping)

    # --- the dispatcher's --------------------------------------------------------------
    @classmethod
    async def take_lease(
        cls, conn: AsyncConnection, holder: str, *, now: datetime, until: datetime
    ) -> bool:
        """Take or renew the dispatcher's lease: one conditional UPDATE, so of several
        processes racing for an expired lease exactly one wins (PostgreSQL re-checks
        the WHERE against the newest row version; CockroachDB is serializable)."""
        result = await conn.execute(
            _take_lease(), {"dispatcher": DISPATCHER, "me": holder, "now": now, "lease_end": until}
        )
        return bool(result.rowcount)

    @classmethod
    async def release_lease(cls, conn: AsyncConnection, holder: str) -> None:
        """Give the lease up (a clean shutdown): another process takes it at once."""
        dispatchers = table("webhook_dispatcher")
        await conn.execute(
            update(dispatchers)
            .where(dispatchers.c.name == DISPATCHER, dispatchers.c.holder == holder)
            .values(lease_until=None)
        )

    @classmethod
    async def log_position(cls, conn: AsyncConnection, holder: str) -> str | None:
        """Where in the event log the dispatcher is, if `holder` holds the lease."""
        dispatchers = table("webhook_dispatcher")
        found = await conn.scalar(
            select(dispatchers.c.log_position).where(
                dispatchers.c.name == DISPATCHER, dispatchers.c.holder == holder
            )
        )
        return None if found is None else str(found)

    @classmethod
    async def advance(cls, conn: AsyncConnection, holder: str, *, before: str, after: str) -> bool:
        """Move the dispatcher's place in the log from `before` to `after`, only if it
        is still there and `holder` still holds the lease (else another dispatcher
        took over: the caller's transaction must not commit)."""
        dispatchers = table("webhook_dispatcher")
        result = await conn.execute(
            update(dispatchers)
            .where(
                dispatchers.c.name == DISPATCHER,
                dispatchers.c.holder == holder,
                dispatchers.c.log_position == before,
            )
            .values(log_position=after)
        )
        return bool(result.rowcount)

    @classmethod
    async def active(cls, conn: AsyncConnection) -> list[WebhookEndpoint]:
        """Every endpoint that is not disabled (what the log's events are matched with)."""
        rows = await conn.execute(_select_active())
        return [WebhookEndpoint(**row._mapping) for row in rows]

    @classmethod
    async def owned_lists(
        cls, conn: AsyncConnection, owner_ids: Collection[uuid.UUID]
    ) -> set[tuple[uuid.UUID, uuid.UUID]]:
        """(account, list) for each list these accounts own now."""
        if not owner_ids:
            return set()
        rows = await conn.execute(_select_owned_lists(), {"owner_ids": sorted(owner_ids)})
        return {(row.user_id, row.list_id) for row in rows}

    @classmethod
    async def enqueue(
        cls, conn: AsyncConnection, messages: Mapping[uuid.UUID, Sequence[Message]], now: datetime
    ) -> list[WebhookDelivery]:
        """Queue each endpoint's messages after its others, in this order; the queued
        deliveries (an endpoint deleted meanwhile gets none)."""
        endpoints = table("webhook_endpoint")
        queued_deliveries: list[WebhookDelivery] = []
        for endpoint_id, queued in messages.items():
            last = await conn.scalar(
                update(endpoints)
                .where(endpoints.c.id == endpoint_id)
                .values(last_seq=endpoints.c.last_seq + len(queued))
                .returning(endpoints.c.last_seq)
            )
            if last is None:  # deleted meanwhile
                continue
            first = int(last) - len(queued) + 1
            queued_deliveries.extend(
                WebhookDelivery(
                    endpoint_id=endpoint_id,
                    seq=first + offset,
                    msg_id=message.msg_id,
                    kind=message.kind,
                    payload=message.payload,
                    state=PENDING,
                    created_at=now,
                )
                for offset, message in enumerate(queued)
            )
        if queued_deliveries:
            rows = [delivery.model_dump() for delivery in queued_deliveries]
            await conn.execute(insert_into("webhook_delivery"), rows)
        return queued_deliveries

    @classmethod
    async def due(
        cls,
        conn: AsyncConnection,
        *,
        now: datetime,
        limit: int,
        endpoint_id: uuid.UUID | None = None,
    ) -> list[DueDelivery]:
        """The first pending delivery of each enabled endpoint (or of this one), if it
        is due: an endpoint's deliveries go one at a time, in order."""
        found = []
        params = {"now": now, "limit": limit, "endpoint_id": endpoint_id}
        for row in await conn.execute(_select_due(one=endpoint_id is not None), params):
            fields = dict(row._mapping)
            url, owner_id = fields.pop("url"), fields.pop("owner_id")
            secret, previous = fields.pop("secret"), fields.pop("previous_secret")
            until = fields.pop("previous_secret_until")
            secrets = (
                (secret,)
                if previous is None or until is None or until <= now
                else (
                    secret,
                    previous,
                )
            )
            found.append(DueDelivery(WebhookDelivery(**fields), url, secrets, owner_id))
        return found

    @classmethod
    async def record_attempt(
        cls, conn: AsyncConnection, delivery_id: uuid.UUID, values: Mapping[str, Any]
    ) -> None:
        """How an attempt went (one statement on one row the dispatcher alone sends)."""
        deliveries = table("webhook_delivery")
        await conn.execute(
            update(deliveries).where(deliveries.c.id == delivery_id).values(**values)
        )

    @classmethod
    async def disable(
        cls, conn: AsyncConnection, endpoint_id: uuid.UUID, *, reason: str, now: datetime
    ) -> bool:
        """Disable an endpoint that is enabled; whether it was."""
        endpoints = table("webhook_endpoint")
        result = await conn.execute(
            update(endpoints)
            .where(endpoints.c.id == endpoint_id, endpoints.c.disabled_at.is_(None))
            .values(disabled_at=now, disabled_reason=reason)
        )
        return bool(result.rowcount)

    @classmethod
    async def prune(cls, conn: AsyncConnection, before: datetime) -> int:
        """Forget deliveries done (delivered or failed) before `before`: a bounded log."""
        result = await conn.execute(_delete_done(), {"before": before})
        deleted: int = result.rowcount
        return deleted


@cache
def _select_mine() -> Select[Any]:
    endpoints = table("webhook_endpoint")
    return (
        select(endpoints)
        .where(access.owned(endpoints))
        .order_by(endpoints.c.created_at, endpoints.c.id)
    )


@cache
def _count_mine() -> Select[Any]:
    endpoints = table("webhook_endpoint")
    return select(func.count()).select_from(endpoints).where(access.owned(endpoints))


@cache
def _select_one() -> Select[Any]:
    endpoints = table("webhook_endpoint")
    return select(endpoints).where(
        endpoints.c.id == bindparam("endpoint_id"), access.owned(endpoints)
    )


@cache
def _delete_mine() -> Delete:
    endpoints = table("webhook_endpoint")
    return delete(endpoints).where(
        endpoints.c.id == bindparam("endpoint_id"), access.owned(endpoints)
    )


@cache
def _select_deliveries() -> Select[Any]:
    deliveries = table("webhook_delivery")
    return (
        select(deliveries)
        .where(deliveries.c.endpoint_id == bindparam("endpoint_id"))
        .order_by(deliveries.c.seq.desc())
        .limit(bindparam("limit"))
    )


@cache
def _take_lease() -> Update:
    dispatchers = table("webhook_dispatcher")
    return (
        update(dispatchers)
        .where(
            dispatchers.c.name == bindparam("dispatcher"),
            or_(
                dispatchers.c.holder == bindparam("me"),
                dispatchers.c.lease_until.is_(None),
                dispatchers.c.lease_until < bindparam("now"),
            ),
        )
        .values(holder=bindparam("me"), lease_until=bindparam("lease_end"))
    )


@cache
def _select_active() -> Select[Any]:
    endpoints = table("webhook_endpoint")
    return select(endpoints).where(endpoints.c.disabled_at.is_(None))


@cache
def _select_owned_lists() -> Select[Any]:
    members = table("list_member")
    return select(members.c.user_id, members.c.list_id).where(
        members.c.user_id.in_(bindparam("owner_ids", expanding=True)),
        members.c.role == constant(access.Role.owner.value),
    )


@cache
def _select_due(*, one: bool) -> Select[Any]:
    """Each enabled endpoint's first pending delivery, if it is due. The first pending
    ones come from one GROUP BY over the pending rows: a subquery per pending row (how it
    was first written) made each round cost 100 ms with 16 000 deliveries queued (`make
    bench-webhooks`), this 4 ms."""
    deliveries, endpoints = table("webhook_delivery"), table("webhook_endpoint")
    pending = deliveries.alias("pending")
    first_pending = select(pending.c.endpoint_id, func.min(pending.c.seq).label("seq")).where(
        pending.c.state == PENDING
    )
    if one:
        first_pending = first_pending.where(pending.c.endpoint_id == bindparam("endpoint_id"))
    first = first_pending.group_by(pending.c.endpoint_id).subquery("first_pending")
    return (
        select(
            deliveries,
            endpoints.c.url,
            endpoints.c.owner_id,
            endpoints.c.secret,
            endpoints.c.previous_secret,
            endpoints.c.previous_secret_until,
        )
        .join_from(
            deliveries,
            first,
            and_(first.c.endpoint_id == deliveries.c.endpoint_id, first.c.seq == deliveries.c.seq),
        )
        .join(endpoints, endpoints.c.id == deliveries.c.endpoint_id)
        .where(
            endpoints.c.disabled_at.is_(None),
            or_(
                deliveries.c.next_attempt_at.is_(None),
                deliveries.c.next_attempt_at <= bindparam("now"),
            ),
        )
        .order_by(deliveries.c.next_attempt_at, deliveries.c.created_at)
        .limit(bindparam("limit"))
    )


@cache
def _delete_done() -> Delete:
    deliveries = table("webhook_delivery")
    return delete(deliveries).where(
        deliveries.c.state != PENDING,
        and_(
            deliveries.c.last_attempt_at.is_not(None),
            deliveries.c.last_attempt_at < bindparam("before"),
        ),
    )
