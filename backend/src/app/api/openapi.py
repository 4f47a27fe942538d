"""The OpenAPI document, with one correction FastAPI does not make by itself."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """FastAPI documents an optional header (`str | None = None`) as "string or null";
    HTTP has no null header, only an absent one. Say "string", so generated clients
    and fuzzers send what the server accepts. FastAPI caches the document; the
    correction is applied once, when it is first built."""
    first_build = app.openapi_schema is None
    document = FastAPI.openapi(app)
    if first_build:
        for operation in _operations(document):
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "header":
                    _drop_null(parameter.get("schema", {}))
    return document


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for path in document.get("paths", {}).values() for op in path.values()]


def _drop_null(schema: dict[str, Any]) -> None:
    variants = schema.pop("anyOf", None)
    if variants:
        schema.update(next(v for v in variants if v.get("type") != "null"))
