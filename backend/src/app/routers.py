"""Every route module, included in one place.

The routers are included into the app directly (no intermediate APIRouter), busiest
first: FastAPI matches a request against each inclusion level in turn, so a flat,
ordered list is the cheapest to route through.
"""

from fastapi import APIRouter

from app.accounts import auth_router as auth
from app.accounts import router as users
from app.lists import router as lists
from app.live import router as events
from app.platform.http import api_docs as docs
from app.platform.http import health
from app.todos import router as todos

ROUTERS: tuple[APIRouter, ...] = (
    todos.router,
    todos.list_router,
    lists.router,
    auth.router,
    users.router,
    health.router,
    events.router,
    docs.router,
)
