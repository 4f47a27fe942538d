"""Exception handlers: every error leaves as FastAPI's `{"detail": ...}` shape."""

from __future__ import annotations

import json

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.status import HTTP_422_UNPROCESSABLE_CONTENT

from app.errors import AppError, InvalidInputError


class ErrorDetail(BaseModel):
    detail: str


def error_responses(*codes: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI documentation for the error statuses an operation can return. (422 is
    FastAPI's own validation-error shape, documented automatically.)"""
    assert 422 not in codes, "422 is documented by FastAPI"
    return {code: {"model": ErrorDetail} for code in codes}


async def _app_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    detail: object = exc.detail
    if isinstance(exc, InvalidInputError):
        detail = [{"loc": list(exc.loc), "msg": exc.detail, "type": "value_error"}]
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)


class _EscapingJSONResponse(JSONResponse):
    """Validation errors echo the input; input may hold lone surrogates that UTF-8
    cannot encode. Escape them (\\udXXX, still valid JSON) instead of failing."""

    def render(self, content: object) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode()


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return _EscapingJSONResponse(
        {"detail": jsonable_encoder(exc.errors())}, status_code=HTTP_422_UNPROCESSABLE_CONTENT
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    # Unexpected exceptions are logged once and answered with a JSON 500 by
    # RequestContextMiddleware (app/api/middleware.py), where the request id is known.
