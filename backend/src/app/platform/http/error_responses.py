"""Exception handlers: every error leaves as FastAPI's `{"detail": ...}` shape."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.status import HTTP_422_UNPROCESSABLE_CONTENT

from app.platform.errors import AppError, InvalidInputError


class ErrorDetail(BaseModel):
    """Why the request failed, in words meant for people."""

    detail: str = Field(description="What went wrong, and what to do about it.")


# What a status means when an operation has nothing more specific to say.
ERROR_MEANINGS: dict[int, str] = {
    401: "No token, or one that expired or was revoked: log in again.",
    403: "Your role in the list, or your personal access token's scope, does not allow "
    "this; `detail` names the role or the scope.",
    404: "No such resource among those you can see.",
    409: "The change conflicts with the current state; `detail` says how.",
    412: "`If-Match` names a version that is no longer current: read it again, then retry.",
    429: "Too many requests: retry after the number of seconds in `Retry-After`.",
    503: "The database cannot be reached: retry after the seconds in `Retry-After`.",
}


def error_responses(
    *codes: int, meanings: Mapping[int, str] | None = None
) -> dict[int | str, dict[str, object]]:
    """OpenAPI documentation for the error statuses an operation can return: `meanings`
    says what a status means for this operation, where ERROR_MEANINGS is too general.
    (422 is FastAPI's own validation-error shape, documented automatically.)"""
    meanings = meanings or {}
    assert 422 not in codes, "422 is documented by FastAPI"
    assert set(meanings) <= set(codes), "a meaning for a status the operation does not list"
    return {
        code: {"model": ErrorDetail, "description": meanings.get(code, ERROR_MEANINGS[code])}
        for code in codes
    }


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
    # RequestContextMiddleware (app/platform/http/middleware.py), where the request id is known.
