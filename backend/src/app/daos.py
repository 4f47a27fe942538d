"""The repositories services run, in one place: the seam unit tests swap fakes in.

Each Protocol names what a repository must do (the seed called them DAOs); each
domain's `repository` module holds the real one, and `tests/unit/fakes.py` fakes backed
by dicts. Services reach repositories only through `daos` (`daos.todos.get(conn,
caller, todo_id)`), their own domain's and every other's, so `tests/unit/conftest.py`
swaps them all by replacing the fields of this one object, and mypy checks every fake
against its Protocol where that replacement is built: a fake whose signature drifts
fails to type.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection

from app.access import Role
from app.accounts.repository import UserRepository
from app.accounts.tables import User
from app.accounts.throttle import Admission, LoginThrottleRepository, ThrottlePolicy
from app.invitations.repository import BlockRepository, FoundInvitation, InvitationRepository
from app.invitations.schemas import BlockPublic, InvitationPublic
from app.invitations.tables import Invitation
from app.lists.repository import ListMemberRepository, Succession, TodoListRepository
from app.lists.schemas import ListPublic, MemberPublic
from app.live.log import EventRepository, LoggedEvent, NewEvent, Position
from app.platform.security import Caller
from app.sessions.repository import SessionRepository
from app.sessions.schemas import SessionCursor
from app.sessions.tables import UserSession
from app.sharelinks.repository import OpenLink, ShareLinkRepository
from app.sharelinks.schemas import ShareLinkPublic
from app.sharelinks.tables import ShareLink
from app.todos.events import TodoDeleted
from app.todos.idempotency import IdempotencyKeyRepository
from app.todos.repository import TodoRepository
from app.todos.schemas import (
    DueCursor,
    TodoCreate,
    TodoCursor,
    TodoOrder,
    TodoPublic,
    TodoStats,
    TodoUpdate,
)
from app.todos.search import Found
from app.todos.tables import IdempotencyKey
from app.tokens.repository import AccessTokenRepository, FoundToken
from app.tokens.tables import AccessToken
from app.webhooks.repository import DueDelivery, Message, WebhookRepository
from app.webhooks.tables import WebhookDelivery, WebhookEndpoint


class UserDAO(Protocol):
    async def get_for_caller(self, conn: AsyncConnection, caller: Caller) -> User: ...
    async def get_by_name(self, conn: AsyncConnection, name: str) -> User | None: ...
    async def token_generations(
        self, conn: AsyncConnection, user_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, int]: ...
    async def create(self, conn: AsyncConnection, *, name: str, password_hash: str) -> User: ...
    async def revoke_tokens(
        self, conn: AsyncConnection, caller: Caller, *, new_password_hash: str | None = None
    ) -> int: ...
    async def set_password(
        self, conn: AsyncConnection, caller: Caller, new_password_hash: str
    ) -> None: ...
    async def delete(self, conn: AsyncConnection, caller: Caller) -> str: ...


class SessionDAO(Protocol):
    async def create(self, conn: AsyncConnection, session: UserSession) -> None: ...
    async def trim(
        self, conn: AsyncConnection, user_id: uuid.UUID, *, now: datetime, keep: int
    ) -> list[uuid.UUID]: ...
    async def get(self, conn: AsyncConnection, caller: Caller) -> UserSession: ...
    async def page(
        self,
        conn: AsyncConnection,
        caller: Caller,
        *,
        after: SessionCursor | None,
        limit: int,
    ) -> list[UserSession]: ...
    async def end(self, conn: AsyncConnection, caller: Caller, session_id: uuid.UUID) -> None: ...
    async def end_others(self, conn: AsyncConnection, caller: Caller) -> list[uuid.UUID]: ...
    async def end_all(self, conn: AsyncConnection, user_id: uuid.UUID) -> None: ...
    async def touch(
        self,
        conn: AsyncConnection,
        session_id: uuid.UUID,
        *,
        now: datetime,
        idle_until: datetime,
        unless_since: datetime,
    ) -> None: ...
    async def live(
        self, conn: AsyncConnection, session_ids: Collection[uuid.UUID], *, now: datetime
    ) -> set[uuid.UUID]: ...


class TodoDAO(Protocol):
    # `list_id` None is the caller's personal list.
    async def page(
        self,
        conn: AsyncConnection,
        caller: Caller,
        list_id: uuid.UUID | None,
        *,
        order: TodoOrder = TodoOrder.position,
        completed: bool | None = None,
        after: TodoCursor | None = None,
        limit: int,
    ) -> list[TodoPublic]: ...
    async def due_page(
        self,
        conn: AsyncConnection,
        caller: Caller,
        *,
        due_from: datetime | None = None,
        due_until: datetime | None = None,
        completed: bool | None = None,
        after: DueCursor | None = None,
        limit: int,
    ) -> list[TodoPublic]: ...
    async def search(
        self, conn: AsyncConnection, caller: Caller, terms: Sequence[str], *, limit: int
    ) -> list[Found]: ...
    async def get(
        self, conn: AsyncConnection, caller: Caller, todo_id: uuid.UUID
    ) -> TodoPublic: ...
    async def create(
        self, conn: AsyncConnection, caller: Caller, list_id: uuid.UUID | None, data: TodoCreate
    ) -> TodoPublic: ...
    async def update(
        self,
        conn: AsyncConnection,
        caller: Caller,
        todo_id: uuid.UUID,
        changes: TodoUpdate,
        *,
        if_version: Collection[int] | None = None,
    ) -> TodoPublic: ...
    async def delete(
        self,
        conn: AsyncConnection,
        caller: Caller,
        todo_id: uuid.UUID,
        *,
        if_version: Collection[int] | None = None,
    ) -> TodoDeleted: ...
    async def delete_completed(
        self, conn: AsyncConnection, caller: Caller, list_id: uuid.UUID | None
    ) -> list[TodoDeleted]: ...
    async def delete_in_lists(
        self, conn: AsyncConnection, list_ids: Collection[uuid.UUID]
    ) -> None: ...
    async def stats(
        self, conn: AsyncConnection, caller: Caller, list_id: uuid.UUID | None
    ) -> TodoStats: ...


class TodoListDAO(Protocol):
    async def mine(self, conn: AsyncConnection, caller: Caller) -> list[ListPublic]: ...
    async def get(
        self, conn: AsyncConnection, caller: Caller, list_id: uuid.UUID
    ) -> ListPublic: ...
    async def create(self, conn: AsyncConnection, caller: Caller, name: str) -> ListPublic: ...
    async def create_personal(self, conn: AsyncConnection, user_id: uuid.UUID) -> uuid.UUID: ...
    async def rename(
        self, conn: AsyncConnection, caller: Caller, list_id: uuid.UUID, name: str
    ) -> ListPublic: ...
    async def delete(self, conn: AsyncConnection, list_id: uuid.UUID) -> None: ...
    async def count_owned(self, conn: AsyncConnection, caller: Caller) -> int: ...
    async def sole_owned(self, conn: AsyncConnection, caller: Caller) -> list[Succession]: ...


class ListMemberDAO(Protocol):
    async def members(
        self, conn: AsyncConnection, caller: Caller, list_id: uuid.UUID
    ) -> list[MemberPublic]: ...
    async def role_of(
        self, conn: AsyncConnection, list_id: uuid.UUID, user_id: uuid.UUID
    ) -> Role | None: ...
    async def owners(self, conn: AsyncConnection, list_id: uuid.UUID) -> list[uuid.UUID]: ...
    async def count(self, conn: AsyncConnection, list_id: uuid.UUID, role: Role | None) -> int: ...
    async def add(
        self, conn: AsyncConnection, list_id: uuid.UUID, user_id: uuid.UUID, role: Role
    ) -> None: ...
    async def set_role(
        self, conn: AsyncConnection, list_id: uuid.UUID, user_id: uuid.UUID, role: Role
    ) -> None: ...
    async def remove(
        self, conn: AsyncConnection, list_id: uuid.UUID, user_id: uuid.UUID
    ) -> None: ...
    async def leave_all(self, conn: AsyncConnection, caller: Caller) -> None: ...


class EventDAO(Protocol):
    async def record(self, conn: AsyncConnection, events: Sequence[NewEvent]) -> None: ...
    async def head(self, conn: AsyncConnection) -> Position: ...
    async def after(
        self,
        conn: AsyncConnection,
        position: Position,
        *,
        until: Position | None,
        limit: int,
        user_id: uuid.UUID | None = None,
        list_ids: Collection[uuid.UUID] = (),
    ) -> list[LoggedEvent]: ...
    async def prune(self, conn: AsyncConnection, before: datetime) -> int: ...


class IdempotencyKeyDAO(Protocol):
    async def get(
        self, conn: AsyncConnection, caller: Caller, key: str
    ) -> IdempotencyKey | None: ...
    async def record(
        self,
        conn: AsyncConnection,
        *,
        caller: Caller,
        key: str,
        request_hash: str,
        response_body: str,
    ) -> None: ...
    async def delete_owned(self, conn: AsyncConnection, caller: Caller) -> None: ...


class LoginThrottleDAO(Protocol):
    async def admit(
        self, conn: AsyncConnection, key: str, *, now: datetime, policy: ThrottlePolicy
    ) -> Admission: ...
    async def refund(self, conn: AsyncConnection, key: str, *, policy: ThrottlePolicy) -> None: ...
    async def clear(self, conn: AsyncConnection, key: str) -> None: ...


class AccessTokenDAO(Protocol):
    async def create(
        self, conn: AsyncConnection, token: AccessToken, list_ids: Collection[uuid.UUID]
    ) -> None: ...
    async def mine(
        self, conn: AsyncConnection, caller: Caller
    ) -> list[tuple[AccessToken, list[uuid.UUID]]]: ...
    async def count(self, conn: AsyncConnection, caller: Caller) -> int: ...
    async def revoke(self, conn: AsyncConnection, caller: Caller, token_id: uuid.UUID) -> None: ...
    async def by_secret_hash(
        self, conn: AsyncConnection, secret_hash: str
    ) -> FoundToken | None: ...
    async def touch(
        self, conn: AsyncConnection, token_id: uuid.UUID, *, now: datetime, unless_since: datetime
    ) -> None: ...


class InvitationDAO(Protocol):
    async def get(
        self, conn: AsyncConnection, invitation_id: uuid.UUID
    ) -> FoundInvitation | None: ...
    async def inbox(
        self, conn: AsyncConnection, caller: Caller, now: datetime
    ) -> list[InvitationPublic]: ...
    async def pending(
        self, conn: AsyncConnection, list_id: uuid.UUID, now: datetime
    ) -> list[InvitationPublic]: ...
    async def count_pending(
        self, conn: AsyncConnection, list_id: uuid.UUID, now: datetime
    ) -> int: ...
    async def sent_since(
        self, conn: AsyncConnection, inviter_id: uuid.UUID, since: datetime
    ) -> tuple[int, datetime | None]: ...
    async def replace(self, conn: AsyncConnection, invitation: Invitation) -> None: ...
    async def close(self, conn: AsyncConnection, invitation_id: uuid.UUID, status: str) -> None: ...
    async def set_role(
        self, conn: AsyncConnection, invitation_id: uuid.UUID, role: Role
    ) -> None: ...
    async def hide_from(
        self, conn: AsyncConnection, invitee_id: uuid.UUID, inviter_id: uuid.UUID
    ) -> None: ...
    async def prune(self, conn: AsyncConnection, before: datetime) -> int: ...


class BlockDAO(Protocol):
    async def mine(self, conn: AsyncConnection, caller: Caller) -> list[BlockPublic]: ...
    async def exists(
        self, conn: AsyncConnection, blocker_id: uuid.UUID, blocked_id: uuid.UUID
    ) -> bool: ...
    async def add(
        self, conn: AsyncConnection, blocker_id: uuid.UUID, blocked_id: uuid.UUID
    ) -> None: ...
    async def remove(
        self, conn: AsyncConnection, blocker_id: uuid.UUID, blocked_id: uuid.UUID
    ) -> None: ...


class ShareLinkDAO(Protocol):
    async def create(self, conn: AsyncConnection, link: ShareLink) -> None: ...
    async def of_list(self, conn: AsyncConnection, list_id: uuid.UUID) -> list[ShareLinkPublic]: ...
    async def get(
        self, conn: AsyncConnection, list_id: uuid.UUID, link_id: uuid.UUID
    ) -> ShareLinkPublic | None: ...
    async def count(self, conn: AsyncConnection, list_id: uuid.UUID) -> int: ...
    async def find_open(
        self, conn: AsyncConnection, secret_hash: str, now: datetime
    ) -> OpenLink | None: ...
    async def use(self, conn: AsyncConnection, link_id: uuid.UUID) -> bool: ...
    async def delete(self, conn: AsyncConnection, link_id: uuid.UUID) -> None: ...
    async def prune(self, conn: AsyncConnection, before: datetime) -> int: ...


class WebhookDAO(Protocol):
    async def create(self, conn: AsyncConnection, endpoint: WebhookEndpoint) -> None: ...
    async def mine(self, conn: AsyncConnection, caller: Caller) -> list[WebhookEndpoint]: ...
    async def count(self, conn: AsyncConnection, caller: Caller) -> int: ...
    async def get(
        self, conn: AsyncConnection, caller: Caller, endpoint_id: uuid.UUID
    ) -> WebhookEndpoint: ...
    async def update(
        self, conn: AsyncConnection, endpoint_id: uuid.UUID, values: Mapping[str, Any]
    ) -> None: ...
    async def delete(
        self, conn: AsyncConnection, caller: Caller, endpoint_id: uuid.UUID
    ) -> None: ...
    async def deliveries(
        self, conn: AsyncConnection, endpoint_id: uuid.UUID, *, limit: int
    ) -> list[WebhookDelivery]: ...
    async def delivery(
        self, conn: AsyncConnection, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
    ) -> WebhookDelivery | None: ...
    async def take_lease(
        self, conn: AsyncConnection, holder: str, *, now: datetime, until: datetime
    ) -> bool: ...
    async def release_lease(self, conn: AsyncConnection, holder: str) -> None: ...
    async def log_position(self, conn: AsyncConnection, holder: str) -> str | None: ...
    async def advance(
        self, conn: AsyncConnection, holder: str, *, before: str, after: str
    ) -> bool: ...
    async def active(self, conn: AsyncConnection) -> list[WebhookEndpoint]: ...
    async def owned_lists(
        self, conn: AsyncConnection, owner_ids: Collection[uuid.UUID]
    ) -> set[tuple[uuid.UUID, uuid.UUID]]: ...
    async def enqueue(
        self,
        conn: AsyncConnection,
        messages: Mapping[uuid.UUID, Sequence[Message]],
        now: datetime,
    ) -> list[WebhookDelivery]: ...
    async def due(
        self,
        conn: AsyncConnection,
        *,
        now: datetime,
        limit: int,
        endpoint_id: uuid.UUID | None = None,
    ) -> list[DueDelivery]: ...
    async def record_attempt(
        self, conn: AsyncConnection, delivery_id: uuid.UUID, values: Mapping[str, Any]
    ) -> None: ...
    async def disable(
        self, conn: AsyncConnection, endpoint_id: uuid.UUID, *, reason: str, now: datetime
    ) -> bool: ...
    async def prune(self, conn: AsyncConnection, before: datetime) -> int: ...


@dataclass(slots=True)
class DAOs:
    users: UserDAO
    sessions: SessionDAO
    todos: TodoDAO
    lists: TodoListDAO
    members: ListMemberDAO
    events: EventDAO
    idempotency_keys: IdempotencyKeyDAO
    login_throttle: LoginThrottleDAO
    access_tokens: AccessTokenDAO
    invitations: InvitationDAO
    blocks: BlockDAO
    share_links: ShareLinkDAO
    webhooks: WebhookDAO


daos = DAOs(
    users=UserRepository,
    sessions=SessionRepository,
    todos=TodoRepository,
    lists=TodoListRepository,
    members=ListMemberRepository,
    events=EventRepository,
    idempotency_keys=IdempotencyKeyRepository,
    login_throttle=LoginThrottleRepository,
    access_tokens=AccessTokenRepository,
    invitations=InvitationRepository,
    blocks=BlockRepository,
    share_links=ShareLinkRepository,
    webhooks=WebhookRepository,
)
