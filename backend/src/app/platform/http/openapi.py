"""The OpenAPI document, with what FastAPI does not add by itself."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute


def operation_id(route: APIRoute) -> str:
    """The handler's name (`create_todo`), not FastAPI's name + path + method: the
    frontend's generated client and the docs show these."""
    return route.name


# Response headers, documented where an operation sends them (`with_headers`). Every
# response carries X-Request-ID and every 429 and 503 Retry-After: added to all below.
RESPONSE_HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": 'The todo\'s version as an entity tag, e.g. `"3"`. Send it back in '
        "`If-Match` to change or delete the todo only if nobody has changed it since.",
        "schema": {"type": "string", "example": '"3"'},
    },
    "Link": {
        "description": 'The next page, while there is one: `</todo?cursor=…&limit=50>; rel="next"`'
        " (a path on this server). Absent on the last page.",
        "schema": {"type": "string"},
    },
    "Location": {
        "description": "The path of the resource just created.",
        "schema": {"type": "string", "example": "/todo/0f8fad5b-d9cb-469f-a165-70867728950e"},
    },
    "X-Request-ID": {
        "description": "This request's id, as in the server's logs: quote it in a bug report. "
        "The one the client or a proxy sent in `X-Request-ID`, else a new one.",
        "schema": {"type": "string", "example": "4bf92f3577b34da6a3ce929d0e0e4736"},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "example": 30},
    },
}


def with_headers(status_code: int, *names: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` documentation: the response `status_code` sends these headers."""
    return {status_code: {"headers": {name: RESPONSE_HEADERS[name] for name in names}}}


VALIDATION_ERROR = (
    "The request does not fit the schema (a field, parameter or header missing, of the "
    "wrong type, or out of bounds): `detail` lists each problem and where it is."
)
ERROR_BODY = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorDetail"}}}
# What any operation with a body may answer, before its own code runs.
BODY_ERRORS = {
    "400": {
        "description": "The body cannot be parsed (not JSON, or not a form).",
        "content": ERROR_BODY,
    },
    "413": {"description": "The body is larger than the server accepts.", "content": ERROR_BODY},
}


def openapi_document(
    app: FastAPI, *, extend: Sequence[Callable[[dict[str, Any]], None]] = ()
) -> dict[str, Any]:
    """FastAPI's document, completed once, when it is first built (FastAPI caches it):
    what `extend` adds (the live events: `app.live.router`), the headers every response
    carries, descriptions of FastAPI's own shapes, and optional headers documented as
    strings (FastAPI says "string or null" for `str | None = None`; HTTP has no null
    header, only an absent one, and generated clients and fuzzers should send what the
    server accepts)."""
    first_build = app.openapi_schema is None
    document = FastAPI.openapi(app)
    if first_build:
        for add in extend:
            add(document)
        _describe_fastapi_shapes(document)
        for operation in _operations(document):
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "header":
                    _drop_null(parameter.get("schema", {}))
            if "requestBody" in operation:
                for status_code, response in BODY_ERRORS.items():
                    operation["responses"].setdefault(status_code, dict(response))
            for status_code, response in operation["responses"].items():
                headers = response.setdefault("headers", {})
                headers["X-Request-ID"] = RESPONSE_HEADERS["X-Request-ID"]
                if status_code in ("429", "503"):
                    headers["Retry-After"] = RESPONSE_HEADERS["Retry-After"]
                if status_code == "422":
                    response["description"] = VALIDATION_ERROR
    return document


def _describe_fastapi_shapes(document: dict[str, Any]) -> None:
    """The schemas FastAPI writes itself: the validation error, and the log-in form
    (OAuth2's password grant, as the original clients send it)."""
    schemas = document["components"]["schemas"]
    schemas["HTTPValidationError"]["description"] = "Why the request does not fit the schema."
    schemas["HTTPValidationError"]["properties"]["detail"]["description"] = "One per problem."
    validation = schemas["ValidationError"]
    validation["description"] = "One problem with the request."
    for name, text in {
        "loc": 'Where: `["body", "title"]`, `["query", "limit"]`, `["header", "if-match"]`.',
        "msg": "What is wrong, in words.",
        "type": "The kind of problem, e.g. `string_too_long`.",
        "input": "The value that was refused.",
        "ctx": "The bound it broke, where there is one.",
    }.items():
        if name in validation["properties"]:
            validation["properties"][name]["description"] = text
    form = schemas["Body_login"]
    form["description"] = "OAuth2's password grant, as an HTML form."
    form["examples"] = [{"username": "user1", "password": "correct horse battery"}]
    for name, text in {
        "username": "The account's name.",
        "password": "The account's password.",
        "grant_type": 'OAuth2\'s grant type: "password" or absent.',
        "scope": "Ignored: a token grants everything the account may do.",
        "client_id": "Ignored (OAuth2 client authentication is not used).",
        "client_secret": "Ignored (OAuth2 client authentication is not used).",
    }.items():
        form["properties"][name]["description"] = text


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for path in document.get("paths", {}).values() for op in path.values()]


def _drop_null(schema: dict[str, Any]) -> None:
    variants = schema.pop("anyOf", None)
    if variants:
        schema.update(next(v for v in variants if v.get("type") != "null"))
