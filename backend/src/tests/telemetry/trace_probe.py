"""Run by test_tracing.py in a process of its own (fresh logging and tracing set-up):
builds the app from the environment with an in-memory span exporter, logs in, changes
the password, writes a todo and PATCHes it, then prints one JSON document on stdout —
the exported spans and what the requests sent. The app's JSON log lines go to stderr."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import httpx
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from app.main import create_app
from app.platform.settings import Settings

PASSWORD = "probe password one"
NEW_PASSWORD = "probe password two"
CONTENT = "probe secret todo content"
NEW_CONTENT = "probe second secret content"


def as_json(span: ReadableSpan) -> dict[str, Any]:
    context = span.get_span_context()
    assert context is not None
    return {
        "name": span.name,
        "kind": span.kind.name,
        "trace_id": format(context.trace_id, "032x"),
        "span_id": format(context.span_id, "016x"),
        "parent_id": format(span.parent.span_id, "016x") if span.parent else None,
        "attributes": dict(span.attributes or {}),
        "events": [{"name": e.name, "attributes": dict(e.attributes or {})} for e in span.events],
        "status": [span.status.status_code.name, span.status.description],
    }


async def main() -> None:
    exporter = InMemorySpanExporter()
    app = create_app(Settings(), span_exporter=exporter)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            account = {"name": "probe-user", "password": PASSWORD}
            (await http.post("/auth/signup", json=account)).raise_for_status()
            login = await http.post(
                "/auth/login", data={"username": "probe-user", "password": PASSWORD}
            )
            token = login.raise_for_status().json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
            changed = await http.put("/me/password", json=change, headers=auth)
            new_token = changed.raise_for_status().json()["access_token"]
            auth = {"Authorization": f"Bearer {new_token}"}
            body = {"title": "probe", "content": CONTENT}
            todo = (await http.post("/todo/", json=body, headers=auth)).raise_for_status().json()
            patched = await http.patch(
                f"/todo/{todo['id']}",
                params={"note": CONTENT},  # a query string must not reach a span either
                json={"content": NEW_CONTENT},
                headers={**auth, "X-Request-ID": "probe-patch-1"},
            )
            patched.raise_for_status()
    spans = [as_json(span) for span in exporter.get_finished_spans()]
    secrets = [PASSWORD, NEW_PASSWORD, token, new_token, CONTENT, NEW_CONTENT]
    print(json.dumps({"spans": spans, "secrets": secrets, "patch_request_id": "probe-patch-1"}))
    sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(main())
