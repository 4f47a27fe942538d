"""Every table of every domain, in one import: `BaseDAO.metadata` lists only the tables
whose modules have been imported, and Alembic (`migrations/env.py`) must see them all.
Also the seed's import path for the tables (`from app.models import User`), which the
notebooks use. Statements live in each domain's repository, never here."""

from app.accounts.tables import LoginThrottle, User
from app.invitations.tables import AccountBlock, Invitation
from app.lists.tables import ListMember, TodoList
from app.live.tables import Event
from app.platform.tables import BaseDAO
from app.sessions.tables import UserSession
from app.sharelinks.tables import ShareLink
from app.todos.tables import IdempotencyKey, Todo
from app.tokens.tables import AccessToken, AccessTokenList
from app.webhooks.tables import WebhookDelivery, WebhookDispatcher, WebhookEndpoint

__all__ = [
    "AccessToken",
    "AccessTokenList",
    "AccountBlock",
    "BaseDAO",
    "Event",
    "IdempotencyKey",
    "Invitation",
    "ListMember",
    "LoginThrottle",
    "ShareLink",
    "Todo",
    "TodoList",
    "User",
    "UserSession",
    "WebhookDelivery",
    "WebhookDispatcher",
    "WebhookEndpoint",
]
