"""The OpenAPI document, with what FastAPI does not add by itself."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import TypeAdapter

from app.schemas.events import LiveEvent


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """FastAPI documents an optional header (`str | None = None`) as "string or null";
    HTTP has no null header, only an absent one. Say "string", so generated clients
    and fuzzers send what the server accepts. FastAPI caches the document; the
    correction is applied once, when it is first built."""
    first_build = app.openapi_schema is None
    document = FastAPI.openapi(app)
    if first_build:
        _add_live_events(document)
        for operation in _operations(document):
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "header":
                    _drop_null(parameter.get("schema", {}))
    return document


EVENT_STREAM = "text/event-stream"
LIVE_EVENT_REF = "#/components/schemas/LiveEvent"


def _add_live_events(document: dict[str, Any]) -> None:
    """The shapes `GET /events` streams: not a JSON response, so FastAPI does not
    collect them itself."""
    schema = TypeAdapter(LiveEvent).json_schema(ref_template="#/components/schemas/{model}")
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in schema.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components["LiveEvent"] = schema
    # The route's response class is the stream's, so FastAPI files every response under
    # its media type: the errors are JSON.
    operation = document["paths"]["/events"]["get"]
    for status_code, response in operation["responses"].items():
        streamed = response.get("content", {}).pop(EVENT_STREAM, None)
        if status_code == "200":
            response["content"] = {EVENT_STREAM: {"schema": {"$ref": LIVE_EVENT_REF}}}
        elif streamed is not None:
            response["content"]["application/json"] = streamed


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for path in document.get("paths", {}).values() for op in path.values()]


def _drop_null(schema: dict[str, Any]) -> None:
    variants = schema.pop("anyOf", None)
    if variants:
        schema.update(next(v for v in variants if v.get("type") != "null"))
