"""Sentry error reports: off unless SENTRY_DSN is set; when on, an unexpected error is
reported with its request id, and nothing secret goes with it. Sentry's transport is
replaced by one that records the envelopes: no network."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sentry_sdk
from pydantic import SecretStr
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from app.main import create_app
from app.platform.telemetry.error_reports import configure_error_reports
from app.platform.telemetry.scrub import scrub_event
from tests.conftest import settings_for

SECRET_BODY = '{"password": "a body secret", "content": "todo content secret"}'
TOKEN = "Bearer token-secret-value"


class RecordingTransport(Transport):
    envelopes: list[Envelope] = []  # noqa: RUF012 (one list, read by the test)

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)


@pytest.fixture
def reporting() -> Iterator[list[Envelope]]:
    RecordingTransport.envelopes = []
    yield RecordingTransport.envelopes
    client = sentry_sdk.get_client()
    client.close()
    sentry_sdk.get_global_scope().set_client(None)


def test_off_without_a_dsn() -> None:
    assert configure_error_reports(settings_for("sqlite+aiosqlite://")) is False
    assert not sentry_sdk.get_client().is_active()


async def test_an_unexpected_error_is_reported_without_secrets(
    reporting: list[Envelope],
) -> None:
    app = create_app(settings_for("sqlite+aiosqlite://"))
    settings = settings_for(
        "sqlite+aiosqlite://", sentry_dsn=SecretStr("https://public@sentry.invalid/1")
    )
    assert configure_error_reports(settings, transport=RecordingTransport)  # no network

    @app.post("/boom")
    async def boom() -> None:
        raise RuntimeError(f"a bug that quotes {SECRET_BODY}")

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post(
            "/boom?token=query-secret",
            content=SECRET_BODY,
            headers={
                "Authorization": TOKEN,
                "Cookie": "session=cookie-secret",
                "Content-Type": "application/json",
                "X-Request-ID": "report-me-1",
            },
        )
    assert response.status_code == 500
    sentry_sdk.flush()
    events: list[dict[str, Any]] = [
        item.payload.json or {} for e in reporting for item in e.items if item.type == "event"
    ]
    assert len(events) == 1
    [event] = events
    assert not sentry_sdk.get_client().options["send_default_pii"]
    assert event["tags"]["request_id"] == "report-me-1"
    assert event["tags"]["route"] == "/boom"
    assert event["exception"]["values"][0]["type"] == "RuntimeError"
    for frame in event["exception"]["values"][0]["stacktrace"]["frames"]:
        for source in ("pre_context", "context_line", "post_context"):
            frame.pop(source, None)  # lines of this file's source, which spell the secrets
    sent = str(event)
    for secret in ("a body secret", "todo content secret", "token-secret-value", "cookie-secret"):
        assert secret not in sent
    assert "query-secret" not in sent


def test_scrub_event_keeps_only_safe_request_data() -> None:
    event: dict[str, Any] = {
        "request": {
            "url": "http://api/todo/1?cursor=abc",
            "method": "PATCH",
            "headers": {
                "Authorization": TOKEN,
                "Cookie": "c=1",
                "X-Request-ID": "r1",
                "Content-Type": "application/json",
            },
            "cookies": {"c": "1"},
            "data": SECRET_BODY,
            "query_string": "cursor=abc",
            "env": {"REMOTE_ADDR": "10.0.0.1"},
        },
        "user": {"ip_address": "10.0.0.1"},
        "exception": {
            "values": [
                {
                    "type": "DBAPIError",
                    "value": "[parameters: ('todo content secret',)]",
                    "stacktrace": {"frames": [{"function": "f", "vars": {"password": "p"}}]},
                }
            ]
        },
        "breadcrumbs": {"values": [{"message": "login a body secret", "data": {"x": 1}}]},
        "extra": {"body": SECRET_BODY},
    }
    scrubbed = scrub_event(event)
    assert scrubbed["request"] == {
        "url": "http://api/todo/1",
        "method": "PATCH",
        "headers": {"X-Request-ID": "r1", "Content-Type": "application/json"},
    }
    assert "user" not in scrubbed
    assert "extra" not in scrubbed
    exception = scrubbed["exception"]["values"][0]
    assert exception["type"] == "DBAPIError"
    assert exception["value"] == ""
    assert "vars" not in exception["stacktrace"]["frames"][0]
    assert scrubbed["breadcrumbs"]["values"] == [{}]
