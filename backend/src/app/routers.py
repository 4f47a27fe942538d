"""Every router (each domain's, and the platform's health checks and API docs), included
in one place.

The routers are included into the app directly (no intermediate APIRouter), busiest
first: FastAPI matches a request against each inclusion level in turn, so a flat,
ordered list is the cheapest to route through.
"""

from fastapi import APIRouter

from app.accounts import auth_router
from app.accounts import router as accounts
from app.invitations import router as invitations
from app.lists import router as lists
from app.live import router as live
from app.platform.http import api_docs, health
from app.portability import router as portability
from app.sessions import router as sessions
from app.sharelinks import router as share_links
from app.todos import router as todos
from app.tokens import router as tokens
from app.webhooks import router as webhooks

ROUTERS: tuple[APIRouter, ...] = (
    todos.router,
    todos.list_router,
    lists.router,
    auth_router.router,
    accounts.router,
    tokens.router,
    sessions.router,
    invitations.router,
    invitations.list_router,
    invitations.block_router,
    share_links.router,
    share_links.list_router,
    webhooks.router,
    portability.router,
    health.router,
    live.router,
    api_docs.router,
)
