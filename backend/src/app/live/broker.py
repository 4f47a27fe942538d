"""The broker: one per process, it reads the event log and hands each event to the
streams of this process that may see it.

One task per process polls the log (`daos.events.after`, a few milliseconds every
`poll_interval` while any stream is open) and offers every new event, in log order, to
each `Subscription`. A subscription decides what its account may see as the events go
by: the lists it was a member of when it opened, plus those a `member.added` for it
adds, minus those a `member.removed` for it or a `list.deleted` removes. Because that
decision follows the log's order, a member who is removed gets the `member.removed` and
nothing of that list after it, and a member who is added gets nothing of that list
from before their `member.added`: each list is watched *from* a position of the log.

Where a stream starts is decided in one snapshot (`Database.read_snapshot`): the
account's token, its lists, the log's head and its own `member.added`s after the point
it starts from are read together, so they cannot disagree about a membership that
changed meanwhile (`Broker._open`). A resume replays the log from its cursor through
the same rules, so it repeats nothing the account was not a member for.

Everything is bounded: a subscription holds at most `queue_size` events (a consumer
that falls further behind is dropped; it reconnects with `Last-Event-ID` and catches
up from the log), an account has at most `max_streams_per_user` streams per process,
and a catch-up longer than `max_catch_up` events is a `resync` instead.

The same task prunes the log every `prune_interval`, whether or not streams are open.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncConnection

from app.accounts.events import SessionEnded
from app.daos import daos
from app.live.events import Ready, Resync
from app.live.log import PRUNE_BATCH, START, LoggedEvent, Position
from app.platform import lifecycle
from app.platform.db import Database
from app.platform.errors import ServiceUnavailableError, TooManyStreamsError
from app.platform.security import Caller
from app.platform.tables import utcnow
from app.platform.telemetry.metrics import EVENT_STREAMS_OPEN

log = structlog.get_logger(__name__)

SESSION_ENDED = "session.ended"
MEMBER_ADDED = "member.added"
MEMBER_REMOVED = "member.removed"
LIST_DELETED = "list.deleted"
# Events addressed to one account only, whatever lists it watches: an invitation's go
# to the invitee and to each owner, one row each (`app.invitations.events`); a share
# link's to each owner (`app.sharelinks.events`).
ADDRESSED_ONLY = ("invitation.", "share_link.")


@dataclass(frozen=True, slots=True)
class BrokerSettings:
    poll_interval: float = 0.1
    retention: timedelta = timedelta(minutes=10)
    max_streams_per_user: int = 10
    queue_size: int = 1000
    max_catch_up: int = 1000
    batch_size: int = 500
    prune_interval: float = 60.0
    # Revocations through the API end streams at once (`session.ended`); this catches
    # the rest: an operator's UPDATE of token_generation, an account deleted by hand, a
    # session that passed its idle or absolute expiry.
    revalidate_interval: float = 30.0


@dataclass(frozen=True, slots=True)
class Cursor:
    """What a stream sends as each event's `id` and gets back as `Last-Event-ID`: a
    position in the log and when it was sent (a cursor older than the retention window
    may point at pruned events). Not secret and not trusted: a forged one can only make
    its own stream skip events, or repeat those of a list from when the account was a
    member of it (`Subscription.lists`)."""

    position: Position
    issued_at: int

    def text(self) -> str:
        return f"{self.position.text()}.{self.issued_at}"

    @classmethod
    def now(cls, position: Position) -> Cursor:
        return cls(position, int(time.time()))

    @classmethod
    def parse(cls, text: str) -> Cursor | None:
        """None for anything this server did not write."""
        parts = text.split(".")
        if len(parts) != 3 or not all(part.isascii() and part.isdigit() for part in parts):
            return None
        major, minor, issued_at = (int(part) for part in parts)
        # A major past the log's head is refused by the broker before it reaches SQL;
        # the bound here only keeps parsing cheap (CockroachDB's majors have 29 digits).
        if major >= 10**30 or max(minor, issued_at) >= 2**63:
            return None
        return cls(Position(major, minor), issued_at)


class StreamEnd(Exception):  # noqa: N818 (a reason, raised to end a stream)
    """Why a stream ended, when the server ended it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


Item = LoggedEvent | Ready | Resync


@dataclass(frozen=True, slots=True)
class Opening:
    """Where a stream starts (`Broker._open`): the lists it watches, each from the
    position its membership began at; the position after which the log is offered to
    it; and what it sends first (its `ready`, a `resync` or the events it missed)."""

    lists: dict[uuid.UUID, Position]
    resume_after: Position
    items: list[Item]


@dataclass(eq=False)
class Subscription:
    """One open stream: the lists its account may see, and the events waiting to be
    sent (`LoggedEvent`s, or a `Ready`/`Resync` of its own).

    Kept small, since a process holds thousands: a deque and, while the stream waits,
    one future (no task, no queue object per stream)."""

    caller: Caller
    # Each list it may see, with the position its membership began at (START when that
    # is before anything this stream could be sent): no event of the list before it.
    lists: dict[uuid.UUID, Position]
    queue_size: int
    resume_after: Position = START  # events up to here were sent before (a resume)
    ended: StreamEnd | None = None
    # While catching up from the log, live events wait here, unfiltered, in order.
    held: list[LoggedEvent] | None = field(default_factory=list)
    last_position: Position = START
    # The broker's index of who watches which list, kept current as `lists` changes.
    watchers: dict[uuid.UUID, set[Subscription]] = field(default_factory=dict)
    _items: deque[Item] = field(default_factory=deque)
    _waiter: asyncio.Future[None] | None = None

    @property
    def pending(self) -> int:
        return len(self._items)

    def offer(self, event: LoggedEvent) -> None:
        """Called with every event of the log, in order."""
        if self.ended is not None or event.position <= self.resume_after:
            return
        if self.held is not None:
            if len(self.held) >= self.queue_size:
                self.end("slow consumer")
            else:
                self.held.append(event)
            return
        if self._admits(event):
            self._put(event)
            if event.kind == SESSION_ENDED:
                self.end("session ended")

    def release(self, catch_up: Iterable[Item]) -> None:
        """End the catch-up: queue its events, then the live ones that arrived meanwhile."""
        held, self.held = self.held or [], None
        for item in catch_up:
            if isinstance(item, LoggedEvent):
                self.offer(item)
            else:
                self._put(item)
        for event in held:
            self.offer(event)

    def end(self, reason: str) -> None:
        if self.ended is None:
            self.ended = StreamEnd(reason)
            self._wake()

    async def next(self, wait: float) -> Item | None:
        """The next item to send; None after `wait` seconds with nothing to send;
        StreamEnd once the stream is over and everything before its end was taken."""
        if not self._items:
            if self.ended is not None:
                raise self.ended
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                async with asyncio.timeout(wait):
                    await self._waiter
            except TimeoutError:
                pass
            finally:
                self._waiter = None
            if not self._items:
                if self.ended is not None:
                    raise self.ended
                return None
        return self._items.popleft()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def watch(self, list_id: uuid.UUID, since: Position = START) -> None:
        self.lists[list_id] = since
        self.watchers.setdefault(list_id, set()).add(self)

    def unwatch(self, list_id: uuid.UUID) -> None:
        self.lists.pop(list_id, None)
        watching = self.watchers.get(list_id)
        if watching is not None:
            watching.discard(self)
            if not watching:
                del self.watchers[list_id]

    def _admits(self, event: LoggedEvent) -> bool:
        """Whether this account sees `event`, updating what it may see as it goes."""
        mine = event.user_id == self.caller.user_id
        if event.kind == SESSION_ENDED:
            return mine and self._ends_my_session(event)
        if event.kind.startswith(ADDRESSED_ONLY):
            return mine
        if event.list_id is None and event.from_list_id is None:
            return mine  # a notice to one account (`webhook.disabled`)
        if event.kind == MEMBER_ADDED and mine and event.list_id is not None:
            self.watch(event.list_id, since=event.position)
        seen = self._sees(event.list_id, event.position) or self._sees(
            event.from_list_id, event.position
        )
        leaves = event.kind == LIST_DELETED or (event.kind == MEMBER_REMOVED and mine)
        if seen and leaves and event.list_id is not None:
            self.unwatch(event.list_id)
        return seen

    def _sees(self, list_id: uuid.UUID | None, position: Position) -> bool:
        since = self.lists.get(list_id) if list_id is not None else None
        return since is not None and position >= since

    def _ends_my_session(self, event: LoggedEvent) -> bool:
        """Whether a `session.ended` of this account ends this stream's token: a token
        issued after a revocation outlives it."""
        ended = SessionEnded.model_validate_json(event.data)
        mine = self.caller.session_id
        if ended.session_id is not None:  # one signed-in device
            return mine == ended.session_id
        if ended.kept_session_id is not None:  # every device but one (not a PAT's stream)
            return mine is not None and mine != ended.kept_session_id
        if ended.token_generation is None:
            return True
        return ended.token_generation > self.caller.token_generation

    def _put(self, item: Item) -> None:
        if len(self._items) >= self.queue_size:
            self.end("slow consumer")
            return
        self._items.append(item)
        if isinstance(item, LoggedEvent):
            self.last_position = item.position
        self._wake()


class Broker:
    def __init__(self, db: Database, settings: BrokerSettings | None = None) -> None:
        self.db = db
        self.settings = settings or BrokerSettings()
        self.cursor: Position | None = None  # where the log has been read up to
        # Who gets an event: the streams of the account it addresses, those watching its
        # lists, and those still catching up (they hold everything until they know
        # their lists). Never every stream: a change costs what its audience costs.
        self._streams: dict[uuid.UUID, set[Subscription]] = defaultdict(set)
        self._watchers: dict[uuid.UUID, set[Subscription]] = {}
        self._catching_up: set[Subscription] = set()
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._next_prune = time.monotonic() + self.settings.prune_interval
        self._next_revalidation = time.monotonic() + self.settings.revalidate_interval
        self.stopping = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="event-broker")

    async def stop(self) -> None:
        """End every stream and the polling task."""
        self.stopping = True
        self._end_all("server stopping")
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def subscribe(
        self, caller: Caller, last_event_id: str | None
    ) -> tuple[Subscription, Cursor]:
        """Open a stream for `caller`, resuming after `last_event_id` when it can.
        Returns the subscription (its `ready` and any catch-up already queued) and the
        cursor to send with `ready`. 401 for a token no longer current, 429 past the
        per-account cap, 503 while the process is stopping."""
        if self.stopping or lifecycle.stopping():
            raise ServiceUnavailableError("This server is restarting; reconnect")
        if len(self._streams.get(caller.user_id, ())) >= self.settings.max_streams_per_user:
            raise TooManyStreamsError(self.settings.max_streams_per_user)
        # Counted from here, before anything is awaited: of 50 streams opened at once,
        # only the cap's worth get in.
        subscription = Subscription(caller, {}, self.settings.queue_size, watchers=self._watchers)
        self._streams[caller.user_id].add(subscription)
        EVENT_STREAMS_OPEN.inc()
        self._catching_up.add(subscription)
        try:
            if self.cursor is None:
                head = await self.db.read(daos.events.head)
                if self.cursor is None:
                    self.cursor = head
                    self._wake.set()
            # From here on the polling task offers it every event after `joined`; what
            # happened before it connected is skipped (`resume_after`) or caught up.
            joined = self.cursor
            opening = await self.db.read_snapshot(
                lambda conn: self._open(conn, caller, last_event_id, joined)
            )
        except BaseException:
            self.unsubscribe(subscription)
            raise
        for list_id, since in opening.lists.items():
            subscription.watch(list_id, since)
        subscription.resume_after = opening.resume_after
        subscription.release(opening.items)
        self._catching_up.discard(subscription)
        first = max(joined, subscription.resume_after, subscription.last_position)
        return subscription, Cursor.now(first)

    async def _open(
        self, conn: AsyncConnection, caller: Caller, last_event_id: str | None, joined: Position
    ) -> Opening:
        """Where a stream starts, read in one snapshot: the account's lists (which also
        proves its token current: `mine` is scoped by it), the log's head, and the
        position each of those memberships began at. Read at different moments, a
        membership that changed in between would be judged against the wrong stretch
        of the log: a member removed meanwhile would keep the list, one added would
        see its past. Pure: the runner may run it again."""
        lists = {found.id for found in await daos.lists.mine(conn, caller)}
        head = await daos.events.head(conn)
        point = self._resume_point(last_event_id, head)
        resume_after, items = head, list[Item]([Ready(resumed=False)])
        if isinstance(point, Position):
            resume_after, items = point, [Ready(resumed=True)]
        elif point is not None:
            items = self._resync(point)
        # The log is final up to `head` only: a membership this snapshot sees may have
        # begun after it, and so after `resume_after`. Its `member.added` is the bound.
        since = await self._memberships_since(conn, caller, resume_after, lists)
        if since is None:
            point, resume_after = None, head
            items = self._resync("too many membership changes missed")
            since = await self._memberships_since(conn, caller, head, lists)
            if since is None:
                raise ServiceUnavailableError("Too many membership changes at once; reconnect")
        if not isinstance(point, Position) or point >= joined:
            # A fresh start, or sent by a replica that had read further: the polling
            # task gets there.
            return Opening(since, resume_after, items)
        missed = await daos.events.after(
            conn,
            point,
            until=joined,
            limit=self.settings.max_catch_up + 1,
            user_id=caller.user_id,
            list_ids=lists,
        )
        if len(missed) > self.settings.max_catch_up:
            return Opening(since, head, self._resync("too many events missed"))
        return Opening(since, point, [*items, *missed])

    def _resume_point(self, last_event_id: str | None, head: Position) -> Position | str | None:
        """The position a stream resumes after; None for a fresh start; or why it
        cannot resume (the stream then sends `resync`)."""
        if last_event_id is None:
            return None
        resume = Cursor.parse(last_event_id)
        if resume is None:
            return "unreadable Last-Event-ID"
        if time.time() - resume.issued_at > self.settings.retention.total_seconds():
            return "Last-Event-ID is past the retention window"
        if resume.position > head:
            return "Last-Event-ID is ahead of the log"
        return resume.position

    async def _memberships_since(
        self,
        conn: AsyncConnection,
        caller: Caller,
        after: Position,
        lists: set[uuid.UUID],
    ) -> dict[uuid.UUID, Position] | None:
        """Each of `lists` with the position of the account's last `member.added` to it
        after `after` (START where there is none: a member since before). None when the
        account has more such events than a catch-up may hold."""
        limit = self.settings.max_catch_up + 1
        own = await daos.events.after(conn, after, until=None, limit=limit, user_id=caller.user_id)
        if len(own) == limit:
            return None
        since = dict.fromkeys(lists, START)
        for event in own:
            if event.kind == MEMBER_ADDED and event.list_id in since:
                since[event.list_id] = event.position
        return since

    @staticmethod
    def _resync(reason: str) -> list[Item]:
        return [Ready(resumed=False), Resync(reason=reason)]

    def unsubscribe(self, subscription: Subscription) -> None:
        self._catching_up.discard(subscription)
        for list_id in list(subscription.lists):
            subscription.unwatch(list_id)
        streams = self._streams.get(subscription.caller.user_id)
        if streams is not None and subscription in streams:
            streams.discard(subscription)
            EVENT_STREAMS_OPEN.dec()
            if not streams:
                del self._streams[subscription.caller.user_id]

    def cursor_for(self, subscription: Subscription) -> Cursor:
        """The cursor for a heartbeat: everything up to the broker's position has been
        offered, and the subscription's queue is empty when this is asked."""
        return Cursor.now(max(self.cursor or START, subscription.last_position))

    async def _run(self) -> None:
        """Poll while streams are open; prune on schedule; end streams when stopping."""
        while True:
            if lifecycle.stopping() and not self.stopping:
                self.stopping = True
                self._end_all("server stopping")
            full = False
            try:
                if self._streams and self.cursor is not None:
                    full = await self._poll()
                else:
                    self.cursor = None  # stale once nobody reads: re-read at the next subscribe
                await self._prune_when_due()
                await self._revalidate_when_due()
            except ServiceUnavailableError:
                log.warning("event_log_unavailable")
                await asyncio.sleep(1.0)
            except Exception:
                log.exception("event_broker_failed")
                await asyncio.sleep(1.0)
            if not full:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.settings.poll_interval)

    async def _poll(self) -> bool:
        """Offer the events after the cursor; True if there may be more right away."""
        assert self.cursor is not None
        cursor = self.cursor

        async def read(conn: AsyncConnection) -> tuple[Position, list[LoggedEvent]]:
            head = await daos.events.head(conn)
            events = await daos.events.after(
                conn, cursor, until=head, limit=self.settings.batch_size
            )
            return head, events

        head, events = await self.db.read(read)
        for event in events:
            for subscription in self._audience(event):
                subscription.offer(event)
        full = len(events) == self.settings.batch_size
        if self.cursor is cursor:  # not reset meanwhile
            self.cursor = events[-1].position if full else max(head, cursor)
        return full

    def _audience(self, event: LoggedEvent) -> set[Subscription]:
        audience = set(self._catching_up)
        if event.user_id is not None:
            audience.update(self._streams.get(event.user_id, ()))
        for list_id in (event.list_id, event.from_list_id):
            if list_id is not None:
                audience.update(self._watchers.get(list_id, ()))
        return audience

    async def _prune_when_due(self) -> None:
        now = time.monotonic()
        if now < self._next_prune:
            return
        self._next_prune = now + self.settings.prune_interval
        # A margin past the window: a cursor issued just inside it still finds every
        # event after it, even one whose transaction began a little earlier.
        before = utcnow() - self.settings.retention - timedelta(minutes=1)
        prune = daos.events.prune
        while await self.db.write_statement(lambda conn: prune(conn, before)) >= PRUNE_BATCH:
            if lifecycle.stopping():
                return

    async def _revalidate_when_due(self) -> None:
        """End the streams whose token is no longer current: one query for them all."""
        now = time.monotonic()
        if now < self._next_revalidation or not self._streams:
            return
        self._next_revalidation = now + self.settings.revalidate_interval
        user_ids = list(self._streams)
        session_ids = {
            subscription.caller.session_id
            for streams in self._streams.values()
            for subscription in streams
            if subscription.caller.session_id is not None
        }

        async def read(conn: AsyncConnection) -> tuple[dict[uuid.UUID, int], set[uuid.UUID]]:
            generations = await daos.users.token_generations(conn, user_ids)
            live = await daos.sessions.live(conn, session_ids, now=utcnow())
            return generations, live

        generations, live_sessions = await self.db.read(read)
        for user_id in user_ids:
            for subscription in list(self._streams.get(user_id, ())):
                current = generations.get(user_id)
                session_id = subscription.caller.session_id
                if (
                    current is None
                    or current != subscription.caller.token_generation
                    or (session_id is not None and session_id not in live_sessions)
                ):
                    subscription.end("token no longer current")

    def _end_all(self, reason: str) -> None:
        for streams in self._streams.values():
            for subscription in streams:
                subscription.end(reason)
