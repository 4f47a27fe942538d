"""A model-based test of who a stream's events reach (issue 27): Hypothesis draws
programs of membership changes (added with a role, a new role, removed, leaving and
coming back), list changes (todos created and moved, renames) and stream opens (fresh,
resumed with a real id, resumed with a forged one) and closes, and runs each on every
engine through the real app.

The model is the program itself. The steps run one after another, and after each the
log's head is read, so an event belongs to the step whose stretch of the log holds it;
the account's memberships during that step are the model's. The properties:

- safety: every event a stream carries is addressed to the account, or is of a list the
  account was a member of in that step (a forged or an old cursor included);
- liveness: a stream that opened carries every event of its lists written after its
  `ready`, while it was open (the fix must not hide what a member may see).

`make test` replays the same programs every run (a CI result must not depend on the
draw); STREAM_MODEL_RANDOM=1 explores new ones, STREAM_MODEL_EXAMPLES sets how many.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.daos import daos
from app.live.broker import Cursor
from app.live.log import Position
from app.platform.db import Database
from tests.conftest import MakeUser
from tests.sharing import add_member
from tests.sse import EventStream, Message, after_lists_read, open_stream

EXAMPLES = int(os.environ.get("STREAM_MODEL_EXAMPLES", "8"))
DERANDOMIZE = os.environ.get("STREAM_MODEL_RANDOM") != "1"
LISTS = 2
ROLES = ("viewer", "editor", "owner")
SENTINEL_WAIT = 30.0  # a cap for a loaded machine, not a pace: it ends on arrival

Step = tuple[Any, ...]

list_index = st.integers(0, LISTS - 1)
membership_changes = st.one_of(
    st.tuples(st.just("add"), list_index, st.sampled_from(ROLES)),
    st.tuples(st.just("remove"), list_index),
    st.tuples(st.just("leave"), list_index),
)
opens = st.tuples(st.just("open"), st.sampled_from(["fresh", "real", "forged"]), st.integers(0, 99))
steps: st.SearchStrategy[Step] = st.one_of(
    membership_changes,
    st.tuples(st.sampled_from(["todo", "move", "rename"]), list_index),
    opens,
    opens,
    # A stream opening while a membership changes: the change commits right after the
    # broker has read the account's lists (finding 2's moment).
    st.tuples(st.just("open during"), membership_changes),
    st.tuples(st.just("close"), st.integers(0, 99)),
)
programs = st.lists(steps, min_size=4, max_size=14)
# Every program ends by resuming from the start of the log and from the oldest id any
# of its streams received: the two widest catch-ups it can ask for.
PROBES: list[Step] = [("open", "forged", 0), ("open", "real", 0)]


@dataclass
class Watched:
    """One stream the program opened, and where its live part began."""

    stream: EventStream
    closer: contextlib.AsyncExitStack
    live_after: Position  # its `ready`'s cursor: what comes after it comes live
    opened_at_step: int
    closed_at_step: int | None = None
    messages: list[Message] = field(default_factory=list)
    expected: set[Position] = field(default_factory=set)  # of its lists, while it was live

    def positions(self) -> set[Position]:
        self.messages += self.stream.received()
        return {_position(message) for message in self.messages}


@dataclass
class Run:
    app: FastAPI
    client: httpx.AsyncClient
    owner: dict[str, str]
    member_name: str
    member: dict[str, str]
    member_id: uuid.UUID
    personal: str
    lists: list[str]
    roles: dict[int, str | None]
    # After each step: the log's head and the member's lists in that step.
    heads: list[Position] = field(default_factory=list)
    memberships: list[frozenset[str]] = field(default_factory=list)
    todos: dict[int, list[str]] = field(default_factory=dict)
    streams: list[Watched] = field(default_factory=list)
    titles: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def db(self) -> Database:
        database: Database = self.app.state.db
        return database

    async def head(self) -> Position:
        return await self.db.read(daos.events.head)

    async def apply(self, number: int, step: Step) -> None:
        kind, *args = step
        if kind in ("add", "remove", "leave"):
            await self.change_membership(kind, *args)
        elif kind == "todo":
            await self.create_todo(args[0])
        elif kind == "move":
            await self.move_todo(args[0])
        elif kind == "rename":
            name = f"renamed-{next(self.titles)}"
            path = f"/lists/{self.lists[args[0]]}"
            response = await self.client.patch(path, json={"name": name}, headers=self.owner)
            assert response.status_code == 200, response.text
        elif kind == "open":
            await self.open(number, *args)
        elif kind == "open during":
            change = args[0]
            await self.open(number, "fresh", 0, during=lambda: self.change_membership(*change))
        elif kind == "close":
            await self.close(number, args[0])
        self.heads.append(await self.head())
        self.memberships.append(
            frozenset(self.lists[i] for i, role in self.roles.items() if role is not None)
        )

    async def change_membership(self, kind: str, index: int, role: str = "viewer") -> None:
        path = f"/lists/{self.lists[index]}/members/{self.member_name}"
        member = self.roles[index] is not None
        if kind == "add":  # invited and accepting, or a new role at once
            list_id = self.lists[index]
            response = await add_member(
                self.client, self.owner, list_id, self.member_name, role, self.member
            )
            assert response.status_code == 200, response.text
            self.roles[index] = role
            return
        headers = self.owner if kind == "remove" else self.member
        response = await self.client.delete(path, headers=headers)
        assert response.status_code == (200 if member else 404), response.text
        self.roles[index] = None

    async def create_todo(self, index: int) -> None:
        title = f"todo-{next(self.titles)}"
        path = f"/lists/{self.lists[index]}/todos"
        response = await self.client.post(path, json={"title": title}, headers=self.owner)
        assert response.status_code == 201, response.text
        self.todos.setdefault(index, []).append(response.json()["id"])

    async def move_todo(self, index: int) -> None:
        if not self.todos.get(index):
            return await self.create_todo(index)
        todo_id = self.todos[index].pop()
        target = (index + 1) % LISTS
        body = {"list_id": self.lists[target]}
        response = await self.client.patch(f"/todo/{todo_id}", json=body, headers=self.owner)
        assert response.status_code == 200, response.text
        self.todos.setdefault(target, []).append(todo_id)
        return None

    async def open(
        self,
        number: int,
        resume: str,
        pick: int,
        during: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        open_streams = [w for w in self.streams if w.closed_at_step is None]
        if len(open_streams) >= 3:
            await self.close(number, 0)
        last_event_id = self.cursor_for(resume, pick)
        closer = contextlib.AsyncExitStack()
        if during is not None:
            if self.db.is_sqlite:
                # One in-memory connection: the change would wait for the opening
                # read, which waits for the change. It goes first there.
                await during()
            else:
                closer.enter_context(after_lists_read(self.member_id, during))
        stream = await closer.enter_async_context(
            open_stream(self.app, self.member, last_event_id=last_event_id)
        )
        ready = await stream.next()
        assert ready.type == "ready", ready
        self.streams.append(Watched(stream, closer, _position(ready), number))

    def cursor_for(self, resume: str, pick: int) -> str | None:
        now = int(time.time())
        if resume == "fresh":
            return None
        for watched in self.streams:
            if watched.closed_at_step is None:
                watched.messages += watched.stream.received()
        received = [m.id for watched in self.streams for m in watched.messages]
        if resume == "real" and received:
            return received[pick % len(received)]
        # Forged: the start of the log, or any head the program passed, issued now.
        candidates = [Position(0, 0), *self.heads]
        chosen = candidates[pick % len(candidates)]
        return f"{chosen.major}.{chosen.minor}.{now}"

    async def close(self, number: int, pick: int) -> None:
        open_streams = [w for w in self.streams if w.closed_at_step is None]
        if not open_streams:
            return
        watched = open_streams[pick % len(open_streams)]
        await self.drain([watched], number)
        watched.closed_at_step = number
        await watched.closer.aclose()

    async def drain(self, streams: list[Watched], step: int) -> None:
        """Wait until each stream has been offered the whole log so far: the member
        writes a todo of their own (its event comes after everything before it, in log
        order) and each stream must carry it. Then note what each should have carried
        of the program's lists since it went live."""
        title = f"sentinel-{next(self.titles)}"
        response = await self.client.post("/todo", json={"title": title}, headers=self.member)
        assert response.status_code == 201, response.text
        for watched in streams:
            async with asyncio.timeout(SENTINEL_WAIT):
                while not any(
                    m.data.get("todo", {}).get("title") == title for m in watched.messages
                ):
                    watched.messages.append(await watched.stream.next(SENTINEL_WAIT))
            watched.expected = await self.expected_since(watched, step)

    async def expected_since(self, watched: Watched, step: int) -> set[Position]:
        """The events of the program's lists after the stream's `ready`, in the steps
        after it opened and before `step`, in which the member was a member."""
        events = await self.db.read(
            lambda conn: daos.events.after(
                conn,
                watched.live_after,
                until=None,
                limit=10_000,
                user_id=uuid.uuid4(),  # nobody: only the lists' events
                list_ids=[uuid.UUID(list_id) for list_id in self.lists],
            )
        )
        expected = set()
        for event in events:
            number = self.step_of(event.position)
            lists = {str(event.list_id), str(event.from_list_id)}
            if watched.opened_at_step < number < step and lists & self.memberships[number]:
                expected.add(event.position)
        return expected

    def step_of(self, position: Position) -> int:
        """The step whose stretch of the log holds `position` (past the last head: the
        step being run)."""
        for number, head in enumerate(self.heads):
            if position <= head:
                return number
        return len(self.heads)

    def check(self) -> None:
        for watched in self.streams:
            for message in watched.messages:
                if message.type in ("ready", "resync"):
                    continue
                number = self.step_of(_position(message))
                if message.data.get("name") == self.member_name:
                    continue  # its own membership: added, changed, removed
                if message.data.get("invitation", {}).get("name") == self.member_name:
                    continue  # its own invitations
                lists = {message.data.get("list_id"), message.data.get("from_list_id")}
                assert lists & (self.memberships[number] | {self.personal}), (
                    f"step {number} ({message.type}) reached a non-member",
                    message.data,
                )
            missed = watched.expected - watched.positions()
            assert not missed, ("a member missed events of its lists", sorted(missed))


def _position(message: Message) -> Position:
    cursor = Cursor.parse(message.id)
    assert cursor is not None, message
    return cursor.position


async def _run(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser, program: list[Step]
) -> None:
    _, owner = await make_user()
    member_name, member = await make_user()
    member_id = uuid.UUID((await client.get("/me", headers=member)).json()["id"])
    personal = (await client.get("/lists", headers=member)).json()[0]["id"]
    lists = []
    for number in range(LISTS):
        response = await client.post("/lists", json={"name": f"list-{number}"}, headers=owner)
        assert response.status_code == 201, response.text
        lists.append(response.json()["id"])
    roles = dict.fromkeys(range(LISTS))
    run = Run(app, client, owner, member_name, member, member_id, personal, lists, roles)
    # Step 0 is everything before the program: the member was in none of its lists.
    run.heads.append(await run.head())
    run.memberships.append(frozenset())
    try:
        for number, step in enumerate([*program, *PROBES], start=1):
            await run.apply(number, step)
        still_open = [watched for watched in run.streams if watched.closed_at_step is None]
        await run.drain(still_open, len(run.heads))
        for watched in still_open:
            watched.closed_at_step = len(run.heads)
        run.heads.append(await run.head())  # the last sentinel's stretch
        run.memberships.append(run.memberships[-1])
    finally:
        for watched in run.streams:
            await watched.closer.aclose()
    run.check()


@settings(
    max_examples=EXAMPLES,
    derandomize=DERANDOMIZE,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(program=programs)
async def test_a_stream_carries_only_what_its_account_was_a_member_for(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser, program: list[Step]
) -> None:
    await _run(app, client, make_user, program)
