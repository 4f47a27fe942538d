"""Exception handlers: every error leaves as FastAPI's `{"detail": ...}` shape."""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.errors import AppError

log = structlog.get_logger(__name__)


class ErrorDetail(BaseModel):
    detail: str


def error_responses(*codes: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI documentation for the error statuses an operation can return."""
    return {code: {"model": ErrorDetail} for code in codes}


async def _app_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def _unexpected_error(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled_error", error=type(exc).__name__)
    return JSONResponse({"detail": "Internal server error"}, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(Exception, _unexpected_error)
