"""Probes for orchestrators: liveness (the process answers) and readiness (it can work)."""

from __future__ import annotations

import os
import socket

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.platform.errors import ServiceUnavailableError
from app.platform.fields import examples
from app.platform.http.deps import DatabaseDep
from app.platform.http.error_responses import error_responses
from app.platform.migrate import head_revision

router = APIRouter(tags=["health"])

INSTANCE = f"{socket.gethostname()}:{os.getpid()}"


class Health(BaseModel):
    """The process is up."""

    model_config = examples({"status": "ok", "instance": "backend-1:4242"})

    status: str = Field(description='"ok", or "ready" for `/readyz`.', examples=["ok"])
    instance: str = Field(
        description="Which server process answered (host name and process id).",
        examples=["backend-1:4242"],
    )


class Readiness(Health):
    """The process is up and may take requests."""

    model_config = examples(
        {"status": "ready", "instance": "backend-1:4242", "schema_revision": "0ed4c033b856"}
    )

    schema_revision: str | None = Field(
        description="The database schema's Alembic revision.", examples=["0ed4c033b856"]
    )


@router.get("/healthz")
async def healthz() -> Health:
    """Liveness: the process answers. Says nothing about the database (see `/readyz`)."""
    return Health(status="ok", instance=INSTANCE)


@router.get(
    "/readyz",
    responses=error_responses(
        503,
        meanings={
            503: "Not ready: the database does not answer, or its schema is not at the "
            "migrations' head (`detail` says which)."
        },
    ),
)
async def readyz(db: DatabaseDep) -> Readiness:
    """Readiness: the database answers and its schema is at the migrations' head, so
    a load balancer may send requests here."""
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
