"""The dispatcher: one per cluster, it copies the event log's events into each matching
endpoint's deliveries and sends them (docs/webhooks.md, "Delivery").

Every process runs a `Dispatcher` task; only the holder of the lease (the one
`webhook_dispatcher` row, taken with a conditional UPDATE and renewed every
`poll_interval`) works. A process that dies stops renewing, and another takes over once
the lease runs out: the log position and every delivery's state are rows, so nothing
is lost, and a delivery cut mid-flight is sent again (at-least-once).

Each round, the holder:

1. reads the log after its position up to the log's head (the same reads as the
   broker's, `app.live.log`, so in commit order on every engine), matches each event
   with the endpoints that want it, and in one transaction queues the deliveries and
   moves its position, only if it still holds the lease and the position is unchanged;
2. starts a task per endpoint whose first pending delivery is due, at most
   `concurrency` at a time. Such a task sends that endpoint's deliveries one after
   another, in order, and marks each delivered after its receiver answered 2xx; on a
   failure it sets the next attempt (exponential back-off) and stops, so nothing of
   that endpoint overtakes the failed delivery. After `retry_for` of failures the
   delivery is failed and its endpoint disabled, and its owner told (`webhook.disabled`).

Requests never wait on any of this: the dispatcher only reads the log that requests
write, and its HTTP calls happen in its own tasks, bounded by `concurrency`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncConnection

from app.daos import daos
from app.live.log import LoggedEvent, NewEvent, Position
from app.platform.db import Database
from app.platform.tables import utcnow
from app.webhooks import sender
from app.webhooks.events import WebhookDisabled
from app.webhooks.repository import DELIVERED, FAILED, DueDelivery, Message
from app.webhooks.tables import WebhookEndpoint

log = structlog.get_logger(__name__)

MEMBER_ADDED = "member.added"
MEMBER_UPDATED = "member.updated"
LIST_DELETED = "list.deleted"


@dataclass(frozen=True, slots=True)
class DispatcherSettings:
    allow_loopback_http: bool = False
    timeout: float = 10.0
    concurrency: int = 16
    poll_interval: float = 1.0
    lease: timedelta = timedelta(seconds=15)
    first_retry: timedelta = timedelta(seconds=5)
    max_retry_interval: timedelta = timedelta(hours=1)
    retry_for: timedelta = timedelta(days=1)
    batch_size: int = 500
    keep_done: timedelta = timedelta(days=7)  # how long the delivery log shows a done one
    prune_every: int = 600  # rounds
    repeat_failure_every: float = 60.0  # seconds between two "still failing" lines


class LeaseLostError(Exception):
    """Another dispatcher took over: this one's round must not commit."""


def parse_position(text: str) -> Position:
    major, minor = text.split(".")
    return Position(int(major), int(minor))


def payload(event: LoggedEvent, timestamp: str) -> str:
    """The Standard Webhooks payload: `type`, `timestamp` and the event as `GET /events`
    sends it, as `data`."""
    return f'{{"type":{json.dumps(event.kind)},"timestamp":"{timestamp}","data":{event.data}}}'


def owners_made_in(events: Sequence[LoggedEvent]) -> set[tuple[uuid.UUID, uuid.UUID]]:
    """(account, list) for each account these events make an owner of a list: its
    creator (`member.added`) or a member promoted (`member.updated`)."""
    made: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for event in events:
        if event.kind not in (MEMBER_ADDED, MEMBER_UPDATED) or not event.user_id:
            continue
        if event.list_id and json.loads(event.data).get("role") == "owner":
            made.add((event.user_id, event.list_id))
    return made


def match(
    events: Sequence[LoggedEvent],
    endpoints: Sequence[WebhookEndpoint],
    owned: set[tuple[uuid.UUID, uuid.UUID]],
    owned_before: set[tuple[uuid.UUID, uuid.UUID]] | None = None,
) -> dict[uuid.UUID, list[Message]]:
    """Each endpoint's messages: the events of its kinds, in lists its owner owns now
    (its one list, or any for an endpoint of every list).

    A deleted list has no owner "now", so a `list.deleted` goes to those in
    `owned_before`: who owned what when the dispatcher last looked, and who became an
    owner in the events it has copied since (`owners_made_in`)."""
    timestamp = utcnow().isoformat().replace("+00:00", "Z")
    messages: dict[uuid.UUID, list[Message]] = defaultdict(list)
    wanted = {endpoint.id: set(endpoint.event_types.split()) for endpoint in endpoints}
    owned_until_deleted = owned | (owned_before or set())
    for event in events:
        lists = {event.list_id, event.from_list_id} - {None}
        known = owned_until_deleted if event.kind == LIST_DELETED else owned
        for endpoint in endpoints:
            if event.kind not in wanted[endpoint.id]:
                continue
            candidates = lists if endpoint.list_id is None else lists & {endpoint.list_id}
            if any((endpoint.owner_id, list_id) in known for list_id in candidates):
                message = Message(f"msg_{uuid.uuid4().hex}", event.kind, payload(event, timestamp))
                messages[endpoint.id].append(message)
    return messages


class Dispatcher:
    def __init__(self, db: Database, settings: DispatcherSettings | None = None) -> None:
        self.db = db
        self.settings = settings or DispatcherSettings()
        self.holder = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.leading = False
        self._task: asyncio.Task[None] | None = None
        self._sending: dict[uuid.UUID, asyncio.Task[None]] = {}  # endpoint id -> its task
        self._http: httpx.AsyncClient | None = None
        self._rounds = 0
        # (owner, list) as the last copy of the log read it: whom a `list.deleted` is for.
        self._owned_before: set[tuple[uuid.UUID, uuid.UUID]] = set()

    def start(self) -> None:
        self._http = sender.client(
            concurrency=self.settings.concurrency, timeout=self.settings.timeout
        )
        self._task = asyncio.create_task(self._run(), name="webhook-dispatcher")

    async def stop(self) -> None:
        tasks = [task for task in (self._task, *self._sending.values()) if task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.leading:
            self.leading = False
            with contextlib.suppress(Exception):  # the lease runs out by itself anyway
                await self.db.write_statement(
                    lambda conn: daos.webhooks.release_lease(conn, self.holder)
                )
        if self._http is not None:
            await self._http.aclose()

    async def _run(self) -> None:
        """Round after round. A failure is logged with its traceback once; while the
        rounds go on failing (a database down, or not migrated yet) a line a minute says
        so, and one more says when they work again: not a traceback every second."""
        failing_since: float | None = None
        said_at = 0.0
        while True:
            try:
                await self.round()
                if failing_since is not None:
                    failed_for = round(time.monotonic() - failing_since, 1)
                    log.info(
                        "webhook_dispatcher_recovered",
                        holder=self.holder,
                        failed_for_seconds=failed_for,
                    )
                    failing_since = None
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self.leading = False
                now = time.monotonic()
                if failing_since is None:
                    failing_since = said_at = now
                    log.warning(
                        "webhook_dispatcher_round_failed", holder=self.holder, exc_info=True
                    )
                elif now - said_at >= self.settings.repeat_failure_every:
                    said_at = now
                    log.warning(
                        "webhook_dispatcher_still_failing",
                        holder=self.holder,
                        failing_for_seconds=round(now - failing_since, 1),
                        error=repr(error),
                    )
            await asyncio.sleep(self.settings.poll_interval)

    async def round(self) -> None:
        """Take or renew the lease; if held, copy the log and start what is due."""
        now = utcnow()
        until = now + self.settings.lease
        self.leading = await self.db.write_statement(
            lambda conn: daos.webhooks.take_lease(conn, self.holder, now=now, until=until)
        )
        if not self.leading:
            return
        while await self._copy_log():
            pass
        await self._start_due()
        self._rounds += 1
        if self._rounds % self.settings.prune_every == 0:
            before = utcnow() - self.settings.keep_done
            await self.db.write_statement(lambda conn: daos.webhooks.prune(conn, before))

    async def _copy_log(self) -> bool:
        """Queue the deliveries of the next batch of the log; True if there may be more."""
        holder, limit = self.holder, self.settings.batch_size

        async def read(
            conn: AsyncConnection,
        ) -> tuple[str | None, Position, list[LoggedEvent], list[WebhookEndpoint], Any]:
            at = await daos.webhooks.log_position(conn, holder)
            head = await daos.events.head(conn)
            endpoints = await daos.webhooks.active(conn)
            if at is None or not endpoints:
                return at, head, [], endpoints, set()
            events = await daos.events.after(conn, parse_position(at), until=head, limit=limit)
            owners = {endpoint.owner_id for endpoint in endpoints}
            return at, head, events, endpoints, await daos.webhooks.owned_lists(conn, owners)

        at, head, events, endpoints, owned = await self.db.read_snapshot(read)
        if at is None:
            raise LeaseLostError
        # Remembered for the next round: who owns what now, and who the events copied this
        # round made owners (the snapshot may already miss a list whose `list.deleted` is
        # past this round's head and comes in the next batch).
        made = owners_made_in(events)
        owned_before, self._owned_before = self._owned_before | made, owned | made
        if not endpoints:  # nothing to deliver to: skip to the head
            to = head.text()
        elif events:
            to = events[-1].position.text()
        else:
            return False
        if to == at or parse_position(to) < parse_position(at):
            return False
        messages = match(events, endpoints, owned, owned_before)
        now = utcnow()

        async def write(conn: AsyncConnection) -> None:
            if not await daos.webhooks.advance(conn, holder, before=at, after=to):
                raise LeaseLostError
            await daos.webhooks.enqueue(conn, messages, now)

        await self.db.write(write)
        return len(events) == limit

    async def _start_due(self) -> None:
        free = self.settings.concurrency - len(self._sending)
        if free <= 0:
            return
        busy = set(self._sending)
        limit = self.settings.concurrency + len(busy)
        due = await self.db.read(lambda conn: daos.webhooks.due(conn, now=utcnow(), limit=limit))
        for item in due:
            endpoint_id = item.delivery.endpoint_id
            if endpoint_id in self._sending:
                continue
            if len(self._sending) >= self.settings.concurrency:
                break
            task = asyncio.create_task(self._send_in_order(item), name=f"webhook-{endpoint_id}")
            self._sending[endpoint_id] = task
            task.add_done_callback(functools.partial(self._done_sending, endpoint_id))

    def _done_sending(self, endpoint_id: uuid.UUID, _task: asyncio.Task[None]) -> None:
        self._sending.pop(endpoint_id, None)

    async def _send_in_order(self, item: DueDelivery | None) -> None:
        """Send an endpoint's due deliveries one after another while they succeed."""
        assert self._http is not None
        try:
            while item is not None and self.leading:
                outcome = await sender.send(
                    self._http,
                    item,
                    allow_loopback_http=self.settings.allow_loopback_http,
                    limit=self.settings.timeout,
                )
                if not await self._record(item, outcome):
                    return
                item = await self._next_due(item.delivery.endpoint_id)
        except Exception:
            log.warning("webhook_delivery_failed", exc_info=True)

    async def _next_due(self, endpoint_id: uuid.UUID) -> DueDelivery | None:
        found = await self.db.read(
            lambda conn: daos.webhooks.due(conn, now=utcnow(), limit=1, endpoint_id=endpoint_id)
        )
        return found[0] if found else None

    async def _record(self, item: DueDelivery, outcome: sender.Outcome) -> bool:
        """Write how the attempt went, after it: a process that dies before this line
        leaves the delivery pending, and it is sent again. True if it was delivered."""
        delivery, now = item.delivery, utcnow()
        first = delivery.first_attempt_at or now
        attempts = delivery.attempts + 1
        values: dict[str, Any] = {
            "attempts": attempts,
            "first_attempt_at": first,
            "last_attempt_at": now,
            "last_status": outcome.status,
            "last_latency_ms": outcome.latency_ms,
            "last_error": outcome.error,
        }
        log.info(
            "webhook_attempt",
            endpoint_id=str(delivery.endpoint_id),
            msg_id=delivery.msg_id,
            status=outcome.status,
            delivered=outcome.delivered,
        )
        if outcome.delivered:
            values.update(state=DELIVERED, next_attempt_at=None)
        elif now - first >= self.settings.retry_for:
            values.update(state=FAILED, next_attempt_at=None)
            await self._give_up(item, values, outcome.error or "failed")
            return False
        else:
            wait = self.settings.first_retry * 2 ** (attempts - 1)
            values["next_attempt_at"] = now + min(wait, self.settings.max_retry_interval)
        await self.db.write_statement(
            lambda conn: daos.webhooks.record_attempt(conn, delivery.id, values)
        )
        return outcome.delivered

    async def _give_up(self, item: DueDelivery, values: dict[str, Any], error: str) -> None:
        """Fail the delivery, disable its endpoint and tell its owner, in one transaction."""
        delivery = item.delivery
        reason = f"A delivery failed for {self.settings.retry_for} of retries: {error}"[:200]
        notice = WebhookDisabled(endpoint_id=delivery.endpoint_id, url=item.url, reason=reason)

        async def give_up(conn: AsyncConnection) -> None:
            await daos.webhooks.record_attempt(conn, delivery.id, values)
            if await daos.webhooks.disable(
                conn, delivery.endpoint_id, reason=reason, now=values["last_attempt_at"]
            ):
                await daos.events.record(conn, [NewEvent(notice, user_id=item.owner_id)])

        await self.db.write(give_up)
        log.warning("webhook_endpoint_disabled", endpoint_id=str(delivery.endpoint_id))
