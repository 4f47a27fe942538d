"""Probes for orchestrators: liveness (the process answers) and readiness (it can work)."""

from __future__ import annotations

import os
import socket

from fastapi import APIRouter
from pydantic import BaseModel

from app.api.deps import DatabaseDep
from app.api.errors import error_responses
from app.errors import ServiceUnavailableError
from app.migrate import head_revision

router = APIRouter(tags=["health"])

INSTANCE = f"{socket.gethostname()}:{os.getpid()}"


class Health(BaseModel):
    status: str
    instance: str


class Readiness(Health):
    schema_revision: str | None


@router.get("/healthz")
async def healthz() -> Health:
    return Health(status="ok", instance=INSTANCE)


@router.get("/readyz", responses=error_responses(503))
async def readyz(db: DatabaseDep) -> Readiness:
    """Ready when the database answers and its schema is at the migrations' head."""
    try:
        revision = await db.schema_revision()
    except Exception as exc:  # any failure to reach the database means "not ready"
        raise ServiceUnavailableError(f"Database unreachable: {type(exc).__name__}") from exc
    expected = head_revision()
    if revision != expected:
        raise ServiceUnavailableError(
            f"Schema at {revision}, expected {expected}: run `minor-illusion migrate`"
        )
    return Readiness(status="ready", instance=INSTANCE, schema_revision=revision)
