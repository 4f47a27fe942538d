"""Exception handlers: every error leaves as FastAPI's `{"detail": ...}` shape."""

from __future__ import annotations

import json
import math

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
    """Validation errors echo the input, and input can hold what strict JSON cannot:
    lone surrogates that UTF-8 cannot encode (escaped as \\udXXX, still valid JSON),
    and NaN, Infinity or 1e999, which Python's JSON parser accepts (echoed as the
    strings "NaN", "Infinity", "-Infinity")."""

    def render(self, content: object) -> bytes:
        return json.dumps(
            _finite(content), ensure_ascii=True, allow_nan=False, separators=(",", ":")
        ).encode()


def _finite(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value).replace("inf", "Infinity").replace("nan", "NaN")
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


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
