"""Every route module, included in one place."""

from fastapi import APIRouter

from app.api.routes import auth, health, todos, users

api_router = APIRouter()
api_router.include_router(auth.router)
api_router.include_router(users.router)
api_router.include_router(todos.router)
api_router.include_router(health.router)
