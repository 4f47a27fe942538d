"""The OpenAPI document is the API's manual (`/docs`, `/redoc`, the docs site) and the
source of the frontend's generated client: every operation, parameter and property is
described, bodies have examples that fit their schemas, the headers and error statuses
an operation sends are declared, and nothing in it is an implementation note."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from app.main import create_app
from app.platform.http.error_responses import ERROR_MEANINGS
from tests.conftest import settings_for

JSON = "application/json"
# Words that belong to the implementation, not to the contract a client relies on.
IMPLEMENTATION_WORDS = re.compile(
    r"\b(app\.|pydantic|sqlmodel|sqlalchemy|fastapi|rust|dao|asyncpg)", re.IGNORECASE
)
CREATES_WITH_URL = {"POST /todo", "POST /lists", "POST /lists/{list_id}/todos"}
HTTP_PHRASES = {
    "Bad Request",
    "Unauthorized",
    "Forbidden",
    "Not Found",
    "Conflict",
    "Too Many Requests",
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app(settings_for("sqlite+aiosqlite://")).openapi()


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The named schema a body refers to, directly or as the items of an array."""
    schema = schema.get("items", schema)
    ref = schema.get("$ref")
    if ref is None:
        return schema
    resolved: dict[str, Any] = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return resolved


def _descriptions(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for name, operation in _operations(document):
        yield name, operation.get("description", "")
        for parameter in operation.get("parameters", []):
            yield f"{name} {parameter['name']}", parameter.get("description", "")
        for status_code, response in operation["responses"].items():
            yield f"{name} {status_code}", response["description"]
    for name, schema in document["components"]["schemas"].items():
        yield name, schema.get("description", "")
        for prop, definition in schema.get("properties", {}).items():
            yield f"{name}.{prop}", definition.get("description", "")


def test_operation_ids_are_the_handlers_names(document: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, operation in _operations(document)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", op_id) for op_id in ids), ids
    assert {"login", "create_todo", "update_todo", "list_list_todos", "stream_events"} <= set(ids)


def test_everything_is_described_for_people(document: dict[str, Any]) -> None:
    missing = [where for where, text in _descriptions(document) if not text.strip()]
    assert missing == []
    notes = [
        (where, text)
        for where, text in _descriptions(document)
        if IMPLEMENTATION_WORDS.search(text)
    ]
    assert notes == []


def test_each_error_status_says_what_it_means(document: dict[str, Any]) -> None:
    for name, operation in _operations(document):
        for status_code, response in operation["responses"].items():
            if status_code.startswith(("4", "5")):
                assert response["description"] not in HTTP_PHRASES, (name, status_code)
    # An operation may say more than the general meaning, where it knows more.
    todo_read = document["paths"]["/todo/{todo_id}"]["get"]["responses"]["404"]["description"]
    assert todo_read != ERROR_MEANINGS[404]
    assert "todo" in todo_read


def test_bodies_have_examples_that_fit_their_schemas(document: dict[str, Any]) -> None:
    registry: Registry[Any] = Registry().with_resource(
        "urn:api", Resource.from_contents(document, default_specification=DRAFT202012)
    )
    checked = 0
    for name, operation in _operations(document):
        bodies = [
            content["schema"]
            for content in operation.get("requestBody", {}).get("content", {}).values()
        ]
        bodies += [
            response["content"][JSON]["schema"]
            for status_code, response in operation["responses"].items()
            if status_code.startswith("2") and JSON in response.get("content", {})
        ]
        for body in bodies:
            schema = _resolve(document, body)
            assert schema.get("examples"), (name, body)
            for example in schema["examples"]:
                ref = body.get("items", body).get("$ref", "")
                validator = jsonschema.Draft202012Validator(
                    {"$ref": "urn:api" + ref} if ref else schema, registry=registry
                )
                validator.validate(example)
                checked += 1
    assert checked > 30


def test_every_response_declares_the_headers_it_sends(document: dict[str, Any]) -> None:
    for name, operation in _operations(document):
        for status_code, response in operation["responses"].items():
            headers = response.get("headers", {})
            assert "X-Request-ID" in headers, (name, status_code)
            if status_code in ("429", "503"):
                assert "Retry-After" in headers, (name, status_code)
            schema = response.get("content", {}).get(JSON, {}).get("schema", {})
            if status_code in ("200", "201") and schema.get("$ref", "").endswith("/TodoPublic"):
                assert "ETag" in headers, (name, status_code)
            if status_code == "201" and name in CREATES_WITH_URL:
                assert "Location" in headers, name
            if schema.get("items", {}).get("$ref", "").endswith("/TodoPublic"):
                assert "Link" in headers, name


def test_operations_with_a_body_document_the_size_limit(document: dict[str, Any]) -> None:
    for name, operation in _operations(document):
        if "requestBody" in operation:
            assert {"400", "413"} <= set(operation["responses"]), name
