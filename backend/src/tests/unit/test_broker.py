"""The broker's decisions without a database: what a subscription lets through as the
log goes by, its bounds, and which cursors it accepts."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from decimal import Decimal
from typing import cast

import pytest

from app.accounts.events import SessionEnded
from app.live.broker import Broker, Cursor, StreamEnd, Subscription
from app.live.events import Ready
from app.live.log import START, LoggedEvent, Position, _hlc_to_int, _int_to_hlc
from app.platform.db import Database
from app.platform.security import Caller

ME = uuid.uuid4()
MINE, THEIRS = uuid.uuid4(), uuid.uuid4()
_positions = itertools.count(1)


def event(
    kind: str,
    list_id: uuid.UUID | None = None,
    *,
    user_id: uuid.UUID | None = None,
    from_list_id: uuid.UUID | None = None,
    data: str = "{}",
) -> LoggedEvent:
    return LoggedEvent(Position(0, next(_positions)), kind, data, list_id, from_list_id, user_id)


def subscription(queue_size: int = 100, generation: int = 0) -> Subscription:
    subscribed = Subscription(Caller(ME, generation), {MINE: START}, queue_size)
    subscribed.release([])
    return subscribed


def queued(subscribed: Subscription) -> list[str]:
    """What the stream would send now, taken from it."""
    items = []
    while subscribed.pending:
        item = subscribed._items.popleft()
        items.append(item.kind if isinstance(item, LoggedEvent) else item.type)
    return items


def test_only_events_of_its_lists_or_addressed_to_it_pass() -> None:
    subscribed = subscription()
    subscribed.offer(event("todo.created", MINE))
    subscribed.offer(event("todo.created", THEIRS))
    subscribed.offer(event("todo.moved", THEIRS, from_list_id=MINE))
    subscribed.offer(event("member.removed", THEIRS, user_id=uuid.uuid4()))
    assert queued(subscribed) == ["todo.created", "todo.moved"]


def test_an_invitation_event_reaches_only_the_account_it_is_addressed_to() -> None:
    """Even an event that named a list the stream watches: the list's other members
    never see its invitations (issue 32)."""
    subscribed = subscription()
    subscribed.offer(event("invitation.sent", user_id=ME))
    subscribed.offer(event("invitation.sent", user_id=uuid.uuid4()))
    subscribed.offer(event("invitation.closed", MINE, user_id=uuid.uuid4()))
    subscribed.offer(event("invitation.closed", THEIRS, user_id=ME))
    assert queued(subscribed) == ["invitation.sent", "invitation.closed"]
    assert subscribed.lists == {MINE: START}, "an invitation adds no list"


def test_membership_follows_the_log() -> None:
    subscribed = subscription()
    subscribed.offer(event("todo.created", THEIRS))  # not yet a member
    subscribed.offer(event("member.added", THEIRS, user_id=ME))
    subscribed.offer(event("todo.created", THEIRS))
    subscribed.offer(event("member.removed", THEIRS, user_id=ME))
    subscribed.offer(event("todo.updated", THEIRS))  # no longer
    subscribed.offer(event("list.deleted", MINE))
    subscribed.offer(event("todo.created", MINE))  # gone with its list
    assert queued(subscribed) == ["member.added", "todo.created", "member.removed", "list.deleted"]
    assert subscribed.lists == {}


def test_another_members_removal_does_not_end_access() -> None:
    subscribed = subscription()
    subscribed.offer(event("member.removed", MINE, user_id=uuid.uuid4()))
    subscribed.offer(event("todo.created", MINE))
    assert queued(subscribed) == ["member.removed", "todo.created"]


async def test_a_revocation_ends_streams_of_older_tokens_only() -> None:
    revoked = SessionEnded(reason="revoked", token_generation=3).model_dump_json()
    older, newer = subscription(generation=2), subscription(generation=3)
    for subscribed in (older, newer):
        subscribed.offer(event("session.ended", user_id=ME, data=revoked))
        subscribed.offer(event("session.ended", user_id=uuid.uuid4(), data=revoked))
    assert queued(older) == ["session.ended"]
    assert older.ended is not None
    assert queued(newer) == []
    assert newer.ended is None
    with pytest.raises(StreamEnd):
        await older.next(0.1)


def test_live_events_wait_behind_the_catch_up() -> None:
    subscribed = Subscription(Caller(ME, 0), {MINE: START}, 100)
    live = event("todo.updated", MINE)
    subscribed.offer(live)  # arrives while catching up
    missed = event("todo.created", MINE)
    subscribed.release([Ready(resumed=True), missed])
    assert queued(subscribed) == ["ready", "todo.created", "todo.updated"]


def test_events_up_to_the_resume_point_are_skipped() -> None:
    subscribed = subscription()
    sent_before = event("todo.created", MINE)
    subscribed.resume_after = sent_before.position
    subscribed.offer(sent_before)
    subscribed.offer(event("todo.updated", MINE))
    assert queued(subscribed) == ["todo.updated"]


async def test_a_consumer_that_falls_behind_is_dropped_not_buffered() -> None:
    subscribed = subscription(queue_size=3)
    for _ in range(10):
        subscribed.offer(event("todo.created", MINE))
    assert subscribed.pending == 3
    assert subscribed.ended is not None
    assert subscribed.ended.reason == "slow consumer"
    # What was queued before the end still goes out, then the stream ends.
    for _ in range(3):
        assert isinstance(await subscribed.next(0.1), LoggedEvent)
    with pytest.raises(StreamEnd):
        await subscribed.next(0.1)


async def test_next_waits_for_an_event_or_the_heartbeat() -> None:
    subscribed = subscription()
    assert await subscribed.next(0.05) is None
    waiting = asyncio.create_task(subscribed.next(5))
    await asyncio.sleep(0)
    subscribed.offer(event("todo.created", MINE))
    item = await asyncio.wait_for(waiting, 1)
    assert isinstance(item, LoggedEvent)


async def test_ending_wakes_a_waiting_stream() -> None:
    subscribed = subscription()
    waiting = asyncio.create_task(subscribed.next(5))
    await asyncio.sleep(0)
    subscribed.end("server stopping")
    with pytest.raises(StreamEnd):
        await asyncio.wait_for(waiting, 1)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1.2",
        "1.2.3.4",
        "a.b.c",
        "-1.2.3",
        "1.2.NaN",
        "1e3.2.3",
        " 1.2.3",
        "\u0661.2.3",
        f"{10**30}.1.1",
        f"1.{2**64}.1",
        "1" * 200 + ".1.1",
    ],
)
def test_a_cursor_this_server_did_not_write_is_refused(text: str) -> None:
    assert Cursor.parse(text) is None


@pytest.mark.parametrize("major", [0, 2**63 - 1, 17_328_500_001_234_567_890_000_000_001])
def test_a_cursor_reads_back_what_it_wrote(major: int) -> None:
    cursor = Cursor(Position(major, 7), 1_800_000_000)
    assert Cursor.parse(cursor.text()) == cursor


def test_cockroach_timestamps_round_trip_exactly() -> None:
    hlc = Decimal("1732850000123456789.0000000042")
    assert _hlc_to_int(hlc) == 17_328_500_001_234_567_890_000_000_042
    assert _int_to_hlc(_hlc_to_int(hlc)) == hlc
    assert _hlc_to_int(Decimal("1732850000123456789")) == 17_328_500_001_234_567_890_000_000_000


def test_an_event_is_offered_to_its_audience_not_to_every_stream() -> None:
    broker = Broker(cast(Database, None))
    someone = uuid.uuid4()

    def subscribed(user_id: uuid.UUID, *lists: uuid.UUID) -> Subscription:
        subscription = Subscription(Caller(user_id, 0), {}, 100, watchers=broker._watchers)
        for list_id in lists:
            subscription.watch(list_id)
        broker._streams[user_id].add(subscription)
        return subscription

    mine, theirs = subscribed(ME, MINE), subscribed(someone, THEIRS)
    assert broker._audience(event("todo.created", MINE)) == {mine}
    assert broker._audience(event("todo.moved", THEIRS, from_list_id=MINE)) == {mine, theirs}
    assert broker._audience(event("member.added", THEIRS, user_id=ME)) == {mine, theirs}
    catching_up = Subscription(Caller(ME, 0), {}, 100, watchers=broker._watchers)
    broker._catching_up.add(catching_up)  # knows no lists yet: holds everything
    assert catching_up in broker._audience(event("todo.created", uuid.uuid4()))
    # Leaving a list (or the broker) takes a stream out of the index.
    mine.release([])
    mine.offer(event("member.removed", MINE, user_id=ME))
    assert broker._audience(event("todo.created", MINE)) == {catching_up}
    broker.unsubscribe(theirs)
    assert broker._watchers == {}
