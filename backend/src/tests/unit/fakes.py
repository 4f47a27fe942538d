"""Fake DAOs: the surfaces `app.daos` names, backed by dicts, so routes and services can
be tested with no database at all (the seed's first testing strategy). `FAKE_DAOS` is
type-checked against the Protocols in `app.daos`: a fake that drifts from the real DAO's
signature fails mypy."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from app import access
from app.access import Role
from app.accounts.repository import name_key_of
from app.accounts.tables import User
from app.accounts.throttle import Admission, ThrottlePolicy
from app.daos import DAOs
from app.invitations.repository import FoundInvitation
from app.invitations.schemas import BlockPublic, InvitationPublic
from app.invitations.tables import Invitation
from app.lists.repository import PERSONAL_LIST_NAME, Succession
from app.lists.schemas import ListPublic, MemberPublic
from app.live.log import LoggedEvent, NewEvent, Position
from app.platform.errors import (
    AnchorNotInListError,
    InvalidInputError,
    ListNotFoundError,
    NameTakenError,
    PreconditionFailedError,
    SessionNotFoundError,
    TodoNotFoundError,
    TokenNotFoundError,
    UnknownUserError,
    WebhookNotFoundError,
)
from app.platform.security import Caller
from app.platform.tables import utcnow
from app.sessions.schemas import SessionCursor
from app.sessions.tables import UserSession
from app.sharelinks.repository import OpenLink
from app.sharelinks.schemas import ShareLinkPublic
from app.sharelinks.tables import ShareLink
from app.todos import ordering
from app.todos.events import TodoDeleted
from app.todos.schemas import (
    DueCursor,
    TodoCreate,
    TodoCursor,
    TodoOrder,
    TodoPublic,
    TodoStats,
    TodoUpdate,
)
from app.todos.search import Found, Matcher
from app.todos.tables import IdempotencyKey
from app.tokens.repository import FoundToken
from app.tokens.tables import AccessToken
from app.webhooks.repository import DueDelivery, Message
from app.webhooks.tables import WebhookDelivery, WebhookEndpoint

T = TypeVar("T")


class FakeDatabase:
    """Runs each unit of work once, with no connection: fake DAOs ignore it."""

    def __init__(self) -> None:
        self.writes = 0
        self.reads = 0

    async def read(self, work: Callable[[Any], Awaitable[T]]) -> T:
        self.reads += 1
        return await work(None)

    async def write(self, work: Callable[[Any], Awaitable[T]], *, idempotent: bool = False) -> T:
        self.writes += 1
        return await work(None)

    write_statement = write
    read_snapshot = read


class FakeUserDAO:
    users: dict[uuid.UUID, User] = {}  # noqa: RUF012 (reset per test by the fixture)

    @classmethod
    def add(cls, name: str, *, password_hash: str) -> User:
        """A user with their personal list, as signing up makes them."""
        user = User(name=name, name_key=name_key_of(name), password_hash=password_hash)
        cls.users[user.id] = user
        personal = FakeList(uuid.uuid4(), PERSONAL_LIST_NAME, user.id, utcnow())
        FakeTodoListDAO.lists[personal.id] = personal
        FakeListMemberDAO.memberships[(personal.id, user.id)] = FakeMembership(Role.owner, utcnow())
        return user

    @classmethod
    async def get_for_caller(cls, _conn: object, caller: Caller) -> User:
        _live(caller)
        return cls.users[caller.user_id]

    @classmethod
    async def get_by_name(cls, _conn: object, name: str) -> User | None:
        return next((u for u in cls.users.values() if u.name_key == name_key_of(name)), None)

    @classmethod
    async def token_generations(
        cls, _conn: object, user_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, int]:
        return {u.id: u.token_generation for u in cls.users.values() if u.id in user_ids}

    @classmethod
    async def create(cls, conn: object, *, name: str, password_hash: str) -> User:
        if await cls.get_by_name(conn, name) is not None:
            raise NameTakenError
        user = User(name=name, name_key=name_key_of(name), password_hash=password_hash)
        cls.users[user.id] = user
        return user

    @classmethod
    async def revoke_tokens(
        cls, conn: object, caller: Caller, *, new_password_hash: str | None = None
    ) -> int:
        user = await cls.get_for_caller(conn, caller)
        user.token_generation += 1
        if new_password_hash is not None:
            user.password_hash = new_password_hash
        return user.token_generation

    @classmethod
    async def set_password(cls, conn: object, caller: Caller, new_password_hash: str) -> None:
        user = await cls.get_for_caller(conn, caller)
        user.password_hash = new_password_hash

    @classmethod
    async def delete(cls, conn: object, caller: Caller) -> str:
        user = await cls.get_for_caller(conn, caller)
        del cls.users[user.id]
        return user.name


class FakeSessionDAO:
    sessions: dict[uuid.UUID, UserSession] = {}  # noqa: RUF012 (reset per test by the fixture)

    @classmethod
    def is_live(cls, session_id: uuid.UUID, user_id: uuid.UUID, now: datetime) -> bool:
        found = cls.sessions.get(session_id)
        return (
            found is not None
            and found.user_id == user_id
            and min(found.expires_at, found.idle_expires_at) > now
        )

    @classmethod
    async def create(cls, _conn: object, session: UserSession) -> None:
        cls.sessions[session.id] = session

    @classmethod
    async def trim(
        cls, _conn: object, user_id: uuid.UUID, *, now: datetime, keep: int
    ) -> list[uuid.UUID]:
        mine = [s for s in cls.sessions.values() if s.user_id == user_id]
        for expired in [s for s in mine if min(s.expires_at, s.idle_expires_at) <= now]:
            del cls.sessions[expired.id]
        live = sorted(
            (s for s in cls.sessions.values() if s.user_id == user_id),
            key=lambda s: (s.created_at, s.id),
            reverse=True,
        )
        ended = [s.id for s in live[keep:]]
        for session_id in ended:
            del cls.sessions[session_id]
        return ended

    @classmethod
    async def get(cls, _conn: object, caller: Caller) -> UserSession:
        _live(caller)
        assert caller.session_id is not None
        return cls.sessions[caller.session_id]

    @classmethod
    async def page(
        cls, _conn: object, caller: Caller, *, after: SessionCursor | None, limit: int
    ) -> list[UserSession]:
        _live(caller)
        now = utcnow()
        live = sorted(
            (s for s in cls.sessions.values() if cls.is_live(s.id, caller.user_id, now)),
            key=lambda s: (s.created_at, s.id),
            reverse=True,
        )
        if after is not None:
            live = [s for s in live if (s.created_at, s.id) < (after.created_at, after.id)]
        return live[:limit]

    @classmethod
    async def end(cls, _conn: object, caller: Caller, session_id: uuid.UUID) -> None:
        _live(caller)
        found = cls.sessions.get(session_id)
        if found is None or found.user_id != caller.user_id:
            raise SessionNotFoundError
        del cls.sessions[session_id]

    @classmethod
    async def end_others(cls, _conn: object, caller: Caller) -> list[uuid.UUID]:
        _live(caller)
        ended = [
            s.id
            for s in cls.sessions.values()
            if s.user_id == caller.user_id and s.id != caller.session_id
        ]
        for session_id in ended:
            del cls.sessions[session_id]
        return ended

    @classmethod
    async def end_all(cls, _conn: object, user_id: uuid.UUID) -> None:
        for session_id in [s.id for s in cls.sessions.values() if s.user_id == user_id]:
            del cls.sessions[session_id]

    @classmethod
    async def touch(
        cls,
        _conn: object,
        session_id: uuid.UUID,
        *,
        now: datetime,
        idle_until: datetime,
        unless_since: datetime,
    ) -> None:
        found = cls.sessions.get(session_id)
        if found is not None and found.last_seen_at < unless_since:
            found.last_seen_at, found.idle_expires_at = now, idle_until

    @classmethod
    async def live(
        cls, _conn: object, session_ids: Collection[uuid.UUID], *, now: datetime
    ) -> set[uuid.UUID]:
        return {
            session_id
            for session_id in session_ids
            if (found := cls.sessions.get(session_id)) is not None
            and min(found.expires_at, found.idle_expires_at) > now
        }


def _live(caller: Caller) -> None:
    """As every real statement checks: UnknownUserError (401) for a revoked token or an
    ended session."""
    user = FakeUserDAO.users.get(caller.user_id)
    if user is None or user.token_generation != caller.token_generation:
        raise UnknownUserError
    session_id = caller.session_id
    if session_id is not None and not FakeSessionDAO.is_live(session_id, user.id, utcnow()):
        raise UnknownUserError


def _role(user_id: uuid.UUID, list_id: uuid.UUID) -> Role | None:
    membership = FakeListMemberDAO.memberships.get((list_id, user_id))
    return None if membership is None else membership.role


def _list_for(caller: Caller, list_id: uuid.UUID | None, needed: Role) -> uuid.UUID:
    """The list a caller names (None: their personal one), if their role allows
    `needed`: 401, 404 or 403 as `app.access` triages."""
    _live(caller)
    if list_id is None:
        return next(
            found.id
            for found in FakeTodoListDAO.lists.values()
            if found.personal_of == caller.user_id
        )
    role = _role(caller.user_id, list_id)
    if role is None:
        raise ListNotFoundError
    access.require(role, needed)
    return list_id


def _todo_for(caller: Caller, todo_id: uuid.UUID, needed: Role) -> TodoPublic:
    _live(caller)
    todo = FakeTodoDAO.todos.get(todo_id)
    role = None if todo is None else _role(caller.user_id, todo.list_id)
    if todo is None or role is None:
        raise TodoNotFoundError
    access.require(role, needed)
    return todo


class FakeTodoDAO:
    todos: dict[uuid.UUID, TodoPublic] = {}  # noqa: RUF012 (reset per test by the fixture)

    @classmethod
    async def page(
        cls,
        _conn: object,
        caller: Caller,
        list_id: uuid.UUID | None,
        *,
        order: TodoOrder = TodoOrder.position,
        completed: bool | None = None,
        after: TodoCursor | None = None,
        limit: int,
    ) -> list[TodoPublic]:
        def key(todo: TodoPublic | TodoCursor) -> tuple[str | datetime, uuid.UUID]:
            if order is TodoOrder.position:
                assert todo.position is not None
                return (todo.position, todo.id)
            return (todo.created_at, todo.id)

        listed = sorted(cls._in(_list_for(caller, list_id, Role.viewer)), key=key)
        if completed is not None:
            listed = [t for t in listed if t.completed == completed]
        if after is not None:
            listed = [t for t in listed if key(t) > key(after)]
        return listed[:limit]

    @classmethod
    async def due_page(
        cls,
        _conn: object,
        caller: Caller,
        *,
        due_from: datetime | None = None,
        due_until: datetime | None = None,
        completed: bool | None = None,
        after: DueCursor | None = None,
        limit: int,
    ) -> list[TodoPublic]:
        _live(caller)
        due = sorted(
            (
                (t.due_at, t.id, t)
                for t in cls.todos.values()
                if t.due_at is not None and _role(caller.user_id, t.list_id) is not None
            ),
            key=lambda row: (row[0], row[1]),
        )
        return [
            todo
            for due_at, id_, todo in due
            if (due_from is None or due_at >= due_from)
            and (due_until is None or due_at < due_until)
            and (completed is None or todo.completed == completed)
            and (after is None or (due_at, id_) > (after.due_at, after.id))
        ][:limit]

    @classmethod
    async def search(
        cls, _conn: object, caller: Caller, terms: Sequence[str], *, limit: int
    ) -> list[Found]:
        """Every visible todo whose words match (`Matcher.matches_all`), by title match
        first, then by id: no engine's ranking, the same matches."""
        _live(caller)
        scope = caller.scope
        matcher = Matcher.of(terms)
        found = [
            Found(**todo.model_dump(), list_name=FakeTodoListDAO.lists[todo.list_id].name)
            for todo in cls.todos.values()
            if _role(caller.user_id, todo.list_id) is not None
            and (scope is None or scope.list_ids is None or todo.list_id in scope.list_ids)
            and matcher.matches_all(terms, f"{todo.title} {todo.content}")
        ]
        found.sort(key=lambda row: (not matcher.matches_all(terms, row.title), row.id))
        return found[:limit]

    @classmethod
    async def get(cls, _conn: object, caller: Caller, todo_id: uuid.UUID) -> TodoPublic:
        return _todo_for(caller, todo_id, Role.viewer)

    @classmethod
    async def create(
        cls, _conn: object, caller: Caller, list_id: uuid.UUID | None, data: TodoCreate
    ) -> TodoPublic:
        now = utcnow()
        in_list = _list_for(caller, list_id, Role.editor)
        todo = TodoPublic(
            id=uuid.uuid4(),
            list_id=in_list,
            created_at=now,
            updated_at=now,
            version=0,
            position=cls._end_of(in_list),
            **data.columns(),
        )
        cls.todos[todo.id] = todo
        return todo

    @classmethod
    async def update(
        cls,
        _conn: object,
        caller: Caller,
        todo_id: uuid.UUID,
        changes: TodoUpdate,
        *,
        if_version: Collection[int] | None = None,
    ) -> TodoPublic:
        todo = _todo_for(caller, todo_id, Role.editor)
        values = changes.changed_fields()
        if changes.list_id is not None:
            _list_for(caller, changes.list_id, Role.editor)
            if changes.list_id != todo.list_id:
                values["position"] = cls._end_of(changes.list_id)
        elif changes.reorders:
            values["position"] = cls._place(todo, changes)
        if if_version is not None and todo.version not in if_version:
            raise PreconditionFailedError
        updated = todo.model_copy(
            update={**values, "version": todo.version + 1, "updated_at": utcnow()}
        )
        cls.todos[todo_id] = updated
        return updated

    @classmethod
    async def delete(
        cls,
        _conn: object,
        caller: Caller,
        todo_id: uuid.UUID,
        *,
        if_version: Collection[int] | None = None,
    ) -> TodoDeleted:
        todo = _todo_for(caller, todo_id, Role.editor)
        if if_version is not None and todo.version not in if_version:
            raise PreconditionFailedError
        del cls.todos[todo_id]
        return TodoDeleted(list_id=todo.list_id, todo_id=todo.id, version=todo.version)

    @classmethod
    async def delete_completed(
        cls, _conn: object, caller: Caller, list_id: uuid.UUID | None
    ) -> list[TodoDeleted]:
        done = [t for t in cls._in(_list_for(caller, list_id, Role.editor)) if t.completed]
        for todo in done:
            del cls.todos[todo.id]
        return [TodoDeleted(list_id=t.list_id, todo_id=t.id, version=t.version) for t in done]

    @classmethod
    async def delete_in_lists(cls, _conn: object, list_ids: Collection[uuid.UUID]) -> None:
        for todo in [t for t in cls.todos.values() if t.list_id in list_ids]:
            del cls.todos[todo.id]

    @classmethod
    async def stats(cls, _conn: object, caller: Caller, list_id: uuid.UUID | None) -> TodoStats:
        listed = cls._in(_list_for(caller, list_id, Role.viewer))
        done = sum(t.completed for t in listed)
        return TodoStats(total=len(listed), active=len(listed) - done, completed=done)

    @classmethod
    def _in(cls, list_id: uuid.UUID) -> list[TodoPublic]:
        return [t for t in cls.todos.values() if t.list_id == list_id]

    @classmethod
    def _end_of(cls, list_id: uuid.UUID) -> str:
        return ordering.between(max((t.position for t in cls._in(list_id)), default=None), None)

    @classmethod
    def _place(cls, todo: TodoPublic, changes: TodoUpdate) -> str:
        """The key the repository's `_new_position` gives (without its rebalance)."""
        placing = "after" if "after" in changes.model_fields_set else "before"
        anchor_id = getattr(changes, placing)
        others = sorted(
            (t for t in cls._in(todo.list_id) if t.id != todo.id), key=lambda t: (t.position, t.id)
        )
        ids = [t.id for t in others]
        if anchor_id == todo.id:
            raise InvalidInputError(f"A todo cannot go {placing} itself", loc=("body", placing))
        if anchor_id is not None and anchor_id not in ids:
            raise AnchorNotInListError(placing)
        if anchor_id is None:
            index = 0 if placing == "after" else len(others)
        else:
            index = ids.index(anchor_id) + (placing == "after")
        lower = others[index - 1].position if index > 0 else None
        upper = others[index].position if index < len(others) else None
        return ordering.between(lower, upper)


@dataclass
class FakeList:
    id: uuid.UUID
    name: str
    personal_of: uuid.UUID | None
    created_at: datetime


class FakeTodoListDAO:
    lists: dict[uuid.UUID, FakeList] = {}  # noqa: RUF012 (reset per test by the fixture)

    @classmethod
    async def mine(cls, _conn: object, caller: Caller) -> list[ListPublic]:
        _live(caller)
        mine = [cls._public(found, caller) for found in cls.lists.values()]
        listed = [found for found in mine if found is not None]
        return sorted(listed, key=lambda found: (not found.personal, found.name.lower(), found.id))

    @classmethod
    async def get(cls, _conn: object, caller: Caller, list_id: uuid.UUID) -> ListPublic:
        _list_for(caller, list_id, Role.viewer)
        found = cls._public(cls.lists[list_id], caller)
        assert found is not None
        return found

    @classmethod
    async def create(cls, _conn: object, caller: Caller, name: str) -> ListPublic:
        _live(caller)
        created = FakeList(uuid.uuid4(), name, None, utcnow())
        cls.lists[created.id] = created
        return ListPublic(
            id=created.id, name=name, role=Role.owner, personal=False, created_at=created.created_at
        )

    @classmethod
    async def create_personal(cls, _conn: object, user_id: uuid.UUID) -> uuid.UUID:
        personal = FakeList(uuid.uuid4(), PERSONAL_LIST_NAME, user_id, utcnow())
        cls.lists[personal.id] = personal
        return personal.id

    @classmethod
    async def rename(
        cls, _conn: object, caller: Caller, list_id: uuid.UUID, name: str
    ) -> ListPublic:
        _list_for(caller, list_id, Role.owner)
        cls.lists[list_id].name = name
        return await cls.get(None, caller, list_id)

    @classmethod
    async def delete(cls, _conn: object, list_id: uuid.UUID) -> None:
        for key in [key for key in FakeListMemberDAO.memberships if key[0] == list_id]:
            del FakeListMemberDAO.memberships[key]
        del cls.lists[list_id]

    @classmethod
    async def count_owned(cls, _conn: object, caller: Caller) -> int:
        return sum(
            1
            for (_, user_id), membership in FakeListMemberDAO.memberships.items()
            if user_id == caller.user_id and membership.role == Role.owner
        )

    @classmethod
    async def sole_owned(cls, _conn: object, caller: Caller) -> list[Succession]:
        successions = []
        for list_id in cls.lists:
            members = FakeListMemberDAO.of(list_id)
            owners = [user_id for user_id, m in members if m.role == Role.owner]
            if owners != [caller.user_id]:
                continue
            editors = sorted(
                (m.created_at, user_id) for user_id, m in members if m.role == Role.editor
            )
            successor = editors[0][1] if editors else None
            name = None if successor is None else FakeUserDAO.users[successor].name
            successions.append(Succession(list_id, successor, name))
        return successions

    @classmethod
    def _public(cls, found: FakeList, caller: Caller) -> ListPublic | None:
        role = _role(caller.user_id, found.id)
        if role is None:
            return None
        return ListPublic(
            id=found.id,
            name=found.name,
            role=role,
            personal=found.personal_of is not None,
            created_at=found.created_at,
        )


@dataclass
class FakeMembership:
    role: Role
    created_at: datetime


class FakeListMemberDAO:
    memberships: dict[tuple[uuid.UUID, uuid.UUID], FakeMembership] = {}  # noqa: RUF012

    @classmethod
    def of(cls, list_id: uuid.UUID) -> list[tuple[uuid.UUID, FakeMembership]]:
        return [(user_id, m) for (lid, user_id), m in cls.memberships.items() if lid == list_id]

    @classmethod
    async def members(cls, _conn: object, caller: Caller, list_id: uuid.UUID) -> list[MemberPublic]:
        _list_for(caller, list_id, Role.viewer)
        rank = {Role.owner: 0, Role.editor: 1, Role.viewer: 2}
        members = [
            MemberPublic(name=FakeUserDAO.users[user_id].name, role=m.role)
            for user_id, m in cls.of(list_id)
        ]
        return sorted(members, key=lambda m: (rank[m.role], m.name.lower()))

    @classmethod
    async def role_of(cls, _conn: object, list_id: uuid.UUID, user_id: uuid.UUID) -> Role | None:
        return _role(user_id, list_id)

    @classmethod
    async def owners(cls, _conn: object, list_id: uuid.UUID) -> list[uuid.UUID]:
        return sorted(user_id for user_id, m in cls.of(list_id) if m.role == Role.owner)

    @classmethod
    async def count(cls, _conn: object, list_id: uuid.UUID, role: Role | None) -> int:
        return sum(1 for _, m in cls.of(list_id) if role is None or m.role == role)

    @classmethod
    async def add(cls, _conn: object, list_id: uuid.UUID, user_id: uuid.UUID, role: Role) -> None:
        cls.memberships[(list_id, user_id)] = FakeMembership(role, utcnow())

    @classmethod
    async def set_role(
        cls, _conn: object, list_id: uuid.UUID, user_id: uuid.UUID, role: Role
    ) -> None:
        cls.memberships[(list_id, user_id)].role = role

    @classmethod
    async def remove(cls, _conn: object, list_id: uuid.UUID, user_id: uuid.UUID) -> None:
        del cls.memberships[(list_id, user_id)]

    @classmethod
    async def leave_all(cls, _conn: object, caller: Caller) -> None:
        for key in [key for key in cls.memberships if key[1] == caller.user_id]:
            del cls.memberships[key]


class FakeIdempotencyKeyDAO:
    keys: dict[tuple[uuid.UUID, str], IdempotencyKey] = {}  # noqa: RUF012

    @classmethod
    async def get(cls, _conn: object, caller: Caller, key: str) -> IdempotencyKey | None:
        return cls.keys.get((caller.user_id, key))

    @classmethod
    async def record(
        cls,
        _conn: object,
        *,
        caller: Caller,
        key: str,
        request_hash: str,
        response_body: str,
    ) -> None:
        cls.keys[(caller.user_id, key)] = IdempotencyKey(
            owner_id=caller.user_id, key=key, request_hash=request_hash, response_body=response_body
        )

    @classmethod
    async def delete_owned(cls, _conn: object, caller: Caller) -> None:
        for owner_id, key in list(cls.keys):
            if owner_id == caller.user_id:
                del cls.keys[(owner_id, key)]


class FakeLoginThrottleDAO:
    """Counts attempts per key and refuses past the limit; windows and lock expiry are
    left to tests/api, on real engines."""

    attempts: dict[str, int] = {}  # noqa: RUF012 (reset per test by the fixture)

    @classmethod
    async def admit(
        cls, _conn: object, key: str, *, now: datetime, policy: ThrottlePolicy
    ) -> Admission:
        cls.attempts[key] = cls.attempts.get(key, 0) + 1
        if cls.attempts[key] <= policy.limit:
            return Admission(admitted=True, locked_until=None)
        return Admission(admitted=False, locked_until=now + policy.lockout)

    @classmethod
    async def refund(cls, _conn: object, key: str, *, policy: ThrottlePolicy) -> None:
        cls.attempts[key] = max(0, cls.attempts.get(key, 0) - 1)

    @classmethod
    async def clear(cls, _conn: object, key: str) -> None:
        cls.attempts.pop(key, None)


class FakeEventDAO:
    """The event log as a list; positions are (0, index + 1)."""

    logged: list[LoggedEvent] = []  # noqa: RUF012 (reset per test by the fixture)

    @classmethod
    async def record(cls, _conn: object, events: Sequence[NewEvent]) -> None:
        for event in events:
            position = Position(0, len(cls.logged) + 1)
            cls.logged.append(LoggedEvent(position=position, **event.columns()))

    @classmethod
    async def head(cls, _conn: object) -> Position:
        return Position(0, len(cls.logged))

    @classmethod
    async def after(
        cls,
        _conn: object,
        position: Position,
        *,
        until: Position | None,
        limit: int,
        user_id: uuid.UUID | None = None,
        list_ids: Collection[uuid.UUID] = (),
    ) -> list[LoggedEvent]:
        found = [
            e
            for e in cls.logged
            if position < e.position and (until is None or e.position <= until)
        ]
        if user_id is not None:
            found = [
                e
                for e in found
                if e.user_id == user_id or e.list_id in list_ids or e.from_list_id in list_ids
            ]
        return found[:limit]

    @classmethod
    async def prune(cls, _conn: object, before: datetime) -> int:
        return 0


class FakeAccessTokenDAO:
    tokens: dict[uuid.UUID, tuple[AccessToken, list[uuid.UUID]]] = {}  # noqa: RUF012

    @classmethod
    async def create(
        cls, _conn: object, token: AccessToken, list_ids: Collection[uuid.UUID]
    ) -> None:
        cls.tokens[token.id] = (token, sorted(list_ids))

    @classmethod
    async def mine(cls, _conn: object, caller: Caller) -> list[tuple[AccessToken, list[uuid.UUID]]]:
        found = [entry for entry in cls.tokens.values() if entry[0].owner_id == caller.user_id]
        return sorted(found, key=lambda entry: entry[0].created_at, reverse=True)

    @classmethod
    async def count(cls, conn: object, caller: Caller) -> int:
        return len(await cls.mine(conn, caller))

    @classmethod
    async def revoke(cls, _conn: object, caller: Caller, token_id: uuid.UUID) -> None:
        found = cls.tokens.get(token_id)
        if found is None or found[0].owner_id != caller.user_id:
            raise TokenNotFoundError
        del cls.tokens[token_id]

    @classmethod
    async def by_secret_hash(cls, _conn: object, secret_hash: str) -> FoundToken | None:
        for token, list_ids in cls.tokens.values():
            if token.secret_hash == secret_hash:
                generation = FakeUserDAO.users[token.owner_id].token_generation
                lists = None if token.all_lists else frozenset(list_ids)
                return FoundToken(token, generation, lists)
        return None

    @classmethod
    async def touch(
        cls, _conn: object, token_id: uuid.UUID, *, now: datetime, unless_since: datetime
    ) -> None:
        token = cls.tokens[token_id][0]
        if token.last_used_at is None or token.last_used_at < unless_since:
            token.last_used_at = now


class FakeInvitationDAO:
    invitations: dict[uuid.UUID, Invitation] = {}  # noqa: RUF012

    @classmethod
    def _found(cls, row: Invitation) -> FoundInvitation:
        return FoundInvitation(
            id=row.id,
            list_id=row.list_id,
            list_name=FakeTodoListDAO.lists[row.list_id].name,
            invitee_id=row.invitee_id,
            name=FakeUserDAO.users[row.invitee_id].name,
            inviter_id=row.inviter_id,
            invited_by=FakeUserDAO.users[row.inviter_id].name,
            role=Role(row.role),
            status=row.status,
            hidden=row.hidden,
            created_at=row.created_at,
            expires_at=row.expires_at,
        )

    @classmethod
    def _open(cls, now: datetime) -> list[FoundInvitation]:
        rows = [
            cls._found(row)
            for row in cls.invitations.values()
            if row.list_id in FakeTodoListDAO.lists
        ]
        found = [row for row in rows if row.open_at(now)]
        return sorted(found, key=lambda row: (row.created_at, row.id), reverse=True)

    @classmethod
    async def get(cls, _conn: object, invitation_id: uuid.UUID) -> FoundInvitation | None:
        row = cls.invitations.get(invitation_id)
        if row is None or row.list_id not in FakeTodoListDAO.lists:
            return None
        return cls._found(row)

    @classmethod
    async def inbox(cls, _conn: object, caller: Caller, now: datetime) -> list[InvitationPublic]:
        _live(caller)
        return [
            row.public()
            for row in cls._open(now)
            if row.invitee_id == caller.user_id and not row.hidden
        ]

    @classmethod
    async def pending(
        cls, _conn: object, list_id: uuid.UUID, now: datetime
    ) -> list[InvitationPublic]:
        return [row.public() for row in cls._open(now) if row.list_id == list_id]

    @classmethod
    async def count_pending(cls, conn: object, list_id: uuid.UUID, now: datetime) -> int:
        return len(await cls.pending(conn, list_id, now))

    @classmethod
    async def sent_since(
        cls, _conn: object, inviter_id: uuid.UUID, since: datetime
    ) -> tuple[int, datetime | None]:
        sent = [
            row.created_at
            for row in cls.invitations.values()
            if row.inviter_id == inviter_id and row.created_at > since
        ]
        return len(sent), min(sent, default=None)

    @classmethod
    async def replace(cls, _conn: object, invitation: Invitation) -> None:
        for key, row in list(cls.invitations.items()):
            if (row.list_id, row.invitee_id) == (invitation.list_id, invitation.invitee_id):
                del cls.invitations[key]
        cls.invitations[invitation.id] = invitation

    @classmethod
    async def close(cls, _conn: object, invitation_id: uuid.UUID, status: str) -> None:
        cls.invitations[invitation_id].status = status

    @classmethod
    async def set_role(cls, _conn: object, invitation_id: uuid.UUID, role: Role) -> None:
        cls.invitations[invitation_id].role = role.value

    @classmethod
    async def hide_from(cls, _conn: object, invitee_id: uuid.UUID, inviter_id: uuid.UUID) -> None:
        for row in cls.invitations.values():
            if (row.invitee_id, row.inviter_id, row.status) == (invitee_id, inviter_id, "pending"):
                row.hidden = True

    @classmethod
    async def prune(cls, _conn: object, before: datetime) -> int:
        gone = [key for key, row in cls.invitations.items() if row.expires_at < before]
        for key in gone:
            del cls.invitations[key]
        return len(gone)


class FakeShareLinkDAO:
    links: dict[uuid.UUID, ShareLink] = {}  # noqa: RUF012

    @classmethod
    def _live(cls) -> list[ShareLink]:
        # A deleted list's links went with it (ON DELETE CASCADE).
        return [link for link in cls.links.values() if link.list_id in FakeTodoListDAO.lists]

    @classmethod
    def _public(cls, link: ShareLink) -> ShareLinkPublic:
        creator = FakeUserDAO.users.get(link.created_by) if link.created_by else None
        return ShareLinkPublic.model_validate(
            {**link.model_dump(), "created_by": creator.name if creator else None}
        )

    @classmethod
    async def create(cls, _conn: object, link: ShareLink) -> None:
        cls.links[link.id] = link

    @classmethod
    async def of_list(cls, _conn: object, list_id: uuid.UUID) -> list[ShareLinkPublic]:
        found = [link for link in cls._live() if link.list_id == list_id]
        found.sort(key=lambda link: (link.created_at, link.id), reverse=True)
        return [cls._public(link) for link in found]

    @classmethod
    async def get(
        cls, _conn: object, list_id: uuid.UUID, link_id: uuid.UUID
    ) -> ShareLinkPublic | None:
        link = cls.links.get(link_id)
        if link is None or link.list_id != list_id or link not in cls._live():
            return None
        return cls._public(link)

    @classmethod
    async def count(cls, _conn: object, list_id: uuid.UUID) -> int:
        return sum(1 for link in cls._live() if link.list_id == list_id)

    @classmethod
    async def find_open(cls, _conn: object, secret_hash: str, now: datetime) -> OpenLink | None:
        for link in cls._live():
            if (
                link.secret_hash == secret_hash
                and (link.expires_at is None or link.expires_at > now)
                and (link.max_uses is None or link.uses < link.max_uses)
            ):
                name = FakeTodoListDAO.lists[link.list_id].name
                return OpenLink(link.id, link.list_id, name, Role(link.role))
        return None

    @classmethod
    async def use(cls, _conn: object, link_id: uuid.UUID) -> bool:
        link = cls.links[link_id]
        if link.max_uses is not None and link.uses >= link.max_uses:
            return False
        link.uses += 1
        return True

    @classmethod
    async def delete(cls, _conn: object, link_id: uuid.UUID) -> None:
        cls.links.pop(link_id, None)

    @classmethod
    async def prune(cls, _conn: object, before: datetime) -> int:
        gone = [
            key
            for key, link in cls.links.items()
            if link.expires_at is not None and link.expires_at < before
        ]
        for key in gone:
            del cls.links[key]
        return len(gone)


class FakeBlockDAO:
    blocks: dict[tuple[uuid.UUID, uuid.UUID], datetime] = {}  # noqa: RUF012

    @classmethod
    async def mine(cls, _conn: object, caller: Caller) -> list[BlockPublic]:
        _live(caller)
        found = [
            BlockPublic(name=FakeUserDAO.users[blocked].name, created_at=at)
            for (blocker, blocked), at in cls.blocks.items()
            if blocker == caller.user_id
        ]
        return sorted(found, key=lambda block: block.name.lower())

    @classmethod
    async def exists(cls, _conn: object, blocker_id: uuid.UUID, blocked_id: uuid.UUID) -> bool:
        return (blocker_id, blocked_id) in cls.blocks

    @classmethod
    async def add(cls, _conn: object, blocker_id: uuid.UUID, blocked_id: uuid.UUID) -> None:
        cls.blocks[(blocker_id, blocked_id)] = utcnow()

    @classmethod
    async def remove(cls, _conn: object, blocker_id: uuid.UUID, blocked_id: uuid.UUID) -> None:
        cls.blocks.pop((blocker_id, blocked_id), None)


class FakeWebhookDAO:
    """An owner's endpoints and their deliveries. The dispatcher's statements (lease, log
    position, due deliveries) have no fake: it runs against real databases only
    (tests/webhooks), so they answer "nothing to do"."""

    endpoints: dict[uuid.UUID, WebhookEndpoint] = {}  # noqa: RUF012
    deliveries_by_id: dict[uuid.UUID, WebhookDelivery] = {}  # noqa: RUF012

    @classmethod
    async def create(cls, _conn: object, endpoint: WebhookEndpoint) -> None:
        cls.endpoints[endpoint.id] = endpoint

    @classmethod
    async def mine(cls, _conn: object, caller: Caller) -> list[WebhookEndpoint]:
        found = [e for e in cls.endpoints.values() if e.owner_id == caller.user_id]
        return sorted(found, key=lambda endpoint: (endpoint.created_at, endpoint.id))

    @classmethod
    async def count(cls, conn: object, caller: Caller) -> int:
        return len(await cls.mine(conn, caller))

    @classmethod
    async def get(cls, _conn: object, caller: Caller, endpoint_id: uuid.UUID) -> WebhookEndpoint:
        found = cls.endpoints.get(endpoint_id)
        if found is None or found.owner_id != caller.user_id:
            raise WebhookNotFoundError
        return found

    @classmethod
    async def update(cls, _conn: object, endpoint_id: uuid.UUID, values: Mapping[str, Any]) -> None:
        cls.endpoints[endpoint_id] = cls.endpoints[endpoint_id].model_copy(update=dict(values))

    @classmethod
    async def delete(cls, conn: object, caller: Caller, endpoint_id: uuid.UUID) -> None:
        await cls.get(conn, caller, endpoint_id)
        del cls.endpoints[endpoint_id]

    @classmethod
    async def deliveries(
        cls, _conn: object, endpoint_id: uuid.UUID, *, limit: int
    ) -> list[WebhookDelivery]:
        found = [d for d in cls.deliveries_by_id.values() if d.endpoint_id == endpoint_id]
        return sorted(found, key=lambda delivery: delivery.seq, reverse=True)[:limit]

    @classmethod
    async def delivery(
        cls, _conn: object, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
    ) -> WebhookDelivery | None:
        found = cls.deliveries_by_id.get(delivery_id)
        return found if found is not None and found.endpoint_id == endpoint_id else None

    @classmethod
    async def take_lease(
        cls, _conn: object, holder: str, *, now: datetime, until: datetime
    ) -> bool:
        return False

    @classmethod
    async def release_lease(cls, _conn: object, holder: str) -> None:
        return None

    @classmethod
    async def log_position(cls, _conn: object, holder: str) -> str | None:
        return None

    @classmethod
    async def advance(cls, _conn: object, holder: str, *, before: str, after: str) -> bool:
        return False

    @classmethod
    async def active(cls, _conn: object) -> list[WebhookEndpoint]:
        return [e for e in cls.endpoints.values() if e.disabled_at is None]

    @classmethod
    async def owned_lists(
        cls, _conn: object, owner_ids: Collection[uuid.UUID]
    ) -> set[tuple[uuid.UUID, uuid.UUID]]:
        return set()

    @classmethod
    async def enqueue(
        cls, _conn: object, messages: Mapping[uuid.UUID, Sequence[Message]], now: datetime
    ) -> list[WebhookDelivery]:
        queued = []
        for endpoint_id, items in messages.items():
            endpoint = cls.endpoints[endpoint_id]
            for message in items:
                endpoint.last_seq += 1
                delivery = WebhookDelivery(
                    endpoint_id=endpoint_id, seq=endpoint.last_seq, msg_id=message.msg_id,
                    kind=message.kind, payload=message.payload, state="pending", created_at=now,
                )  # fmt: skip
                cls.deliveries_by_id[delivery.id] = delivery
                queued.append(delivery)
        return queued

    @classmethod
    async def due(
        cls,
        _conn: object,
        *,
        now: datetime,
        limit: int,
        endpoint_id: uuid.UUID | None = None,
    ) -> list[DueDelivery]:
        return []

    @classmethod
    async def record_attempt(
        cls, _conn: object, delivery_id: uuid.UUID, values: Mapping[str, Any]
    ) -> None:
        found = cls.deliveries_by_id[delivery_id]
        cls.deliveries_by_id[delivery_id] = found.model_copy(update=dict(values))

    @classmethod
    async def disable(
        cls, _conn: object, endpoint_id: uuid.UUID, *, reason: str, now: datetime
    ) -> bool:
        endpoint = cls.endpoints[endpoint_id]
        if endpoint.disabled_at is not None:
            return False
        await cls.update(_conn, endpoint_id, {"disabled_at": now, "disabled_reason": reason})
        return True

    @classmethod
    async def prune(cls, _conn: object, before: datetime) -> int:
        return 0


FAKE_DAOS = DAOs(
    users=FakeUserDAO,
    sessions=FakeSessionDAO,
    todos=FakeTodoDAO,
    lists=FakeTodoListDAO,
    members=FakeListMemberDAO,
    events=FakeEventDAO,
    idempotency_keys=FakeIdempotencyKeyDAO,
    login_throttle=FakeLoginThrottleDAO,
    access_tokens=FakeAccessTokenDAO,
    invitations=FakeInvitationDAO,
    blocks=FakeBlockDAO,
    share_links=FakeShareLinkDAO,
    webhooks=FakeWebhookDAO,
)
