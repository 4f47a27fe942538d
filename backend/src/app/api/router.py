"""Every route module, included in one place.

The routers are included into the app directly (no intermediate APIRouter), busiest
first: FastAPI matches a request against each inclusion level in turn, so a flat,
ordered list is the cheapest to route through.
"""

from fastapi import APIRouter

from app.api.routes import auth, docs, events, health, lists, todos, users

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
