"""Traces: one PATCH gives an HTTP span with its SQL spans beneath, all of one trace,
and that trace id is on the request's log lines; nothing secret is in any span or log
line of a log-in, a password change and a todo write.

The app runs in a process of its own (trace_probe.py), on a fresh PostgreSQL database,
so its logging and tracing set-up are the ones production gets."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from app.platform.telemetry.scrub import SPAN_ATTRIBUTES
from app.platform.telemetry.tracing import configure_tracing
from tests.conftest import settings_for
from tests.processes import BACKEND_SRC, backend_env

Probe = tuple[dict[str, Any], list[dict[str, Any]], str]


@pytest.fixture(scope="module")
def probe(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Probe:
    """(the probe's JSON document, its parsed log lines, its raw stderr)."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.telemetry.trace_probe"],
        env=backend_env(postgres_url, tmp_path_factory.mktemp("probe")),
        cwd=BACKEND_SRC,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    return json.loads(result.stdout.splitlines()[-1]), lines, result.stderr


def test_a_patch_is_one_trace_from_http_to_sql_and_its_logs_name_it(probe: Probe) -> None:
    document, logs, _ = probe
    spans = document["spans"]
    [http] = [s for s in spans if s["attributes"].get("request_id") == "probe-patch-1"]
    assert http["name"] == "PATCH /todo/{todo_id}"
    assert http["kind"] == "SERVER"
    assert http["attributes"]["http.route"] == "/todo/{todo_id}"
    in_trace = [s for s in spans if s["trace_id"] == http["trace_id"]]
    sql = [s for s in in_trace if s["kind"] == "CLIENT"]
    statements = [s["attributes"]["db.statement"] for s in sql]
    # The UPDATE and its event's INSERT, one statement (app.live.log.with_event).
    assert any("(UPDATE todo" in statement for statement in statements), statements
    by_id = {s["span_id"]: s for s in in_trace}
    for span in sql:  # each SQL span descends from the HTTP span
        parent = span["parent_id"]
        while parent is not None and parent != http["span_id"]:
            parent = by_id[parent]["parent_id"]
        assert parent == http["span_id"], span

    request_lines = [line for line in logs if line.get("request_id") == "probe-patch-1"]
    assert any(line["event"] == "request" for line in request_lines), "the access line"
    assert {line.get("trace_id") for line in request_lines} == {http["trace_id"]}


def test_no_secret_in_any_span_or_log_line(probe: Probe) -> None:
    document, _, stderr = probe
    exported = json.dumps(document["spans"])
    assert document["spans"], "the probe exported spans"
    for secret in document["secrets"]:
        assert secret not in exported
        assert secret not in stderr
    assert "Bearer" not in exported
    # The SQL spans carry statements with placeholders, never bound values.
    statements = [
        s["attributes"]["db.statement"] for s in document["spans"] if s["kind"] == "CLIENT"
    ]
    assert any("$1" in statement for statement in statements), statements


def test_spans_keep_only_allowed_attributes(probe: Probe) -> None:
    document, _, _ = probe
    for span in document["spans"]:
        assert set(span["attributes"]) <= SPAN_ATTRIBUTES, span
        assert span["status"][1] is None  # no exception message in a status
        for event in span["events"]:
            assert set(event["attributes"]) <= SPAN_ATTRIBUTES, event
    http = [s for s in document["spans"] if s["kind"] == "SERVER"]
    assert all("?" not in str(s["attributes"].get("url.path", "")) for s in http)


def test_tracing_is_off_without_an_endpoint() -> None:
    assert configure_tracing(settings_for("sqlite+aiosqlite://")) is None
    settings = settings_for("sqlite+aiosqlite://", otel_exporter_otlp_endpoint="http://c:4318")
    tracing = configure_tracing(settings)
    assert tracing is not None
    tracing.shutdown()
