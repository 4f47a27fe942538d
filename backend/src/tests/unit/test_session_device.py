"""A session's device description, from its User-Agent (app/sessions/device.py)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from app.platform.usage import UseRecorder
from app.sessions.device import UNKNOWN_DEVICE, USER_AGENT_MAX, describe
from app.sessions.tables import DEVICE_MAX


@pytest.mark.parametrize(
    ("user_agent", "described"),
    [
        (
            "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox 133 on Ubuntu",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36",
            "Chrome 131 on Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Mobile Safari 18 on iOS",
        ),
        ("python-httpx/0.28.1", "python-httpx"),
        ("curl/8.5.0", "curl 8"),  # uap-core knows curl
        ("", UNKNOWN_DEVICE),
        (None, UNKNOWN_DEVICE),
        ("\x00\x01 nothing a parser knows", UNKNOWN_DEVICE),
        ("Mozilla/5.0 " + "x" * USER_AGENT_MAX, UNKNOWN_DEVICE),  # too long: not parsed
    ],
)
def test_describe(user_agent: str | None, described: str) -> None:
    assert describe(user_agent) == described
    assert len(describe(user_agent)) <= DEVICE_MAX


def test_use_recorder_writes_once_per_interval_and_stays_bounded() -> None:
    recorder = UseRecorder(timedelta(minutes=5), bound=10)
    key = uuid.uuid4()
    assert recorder.due(key)
    assert not recorder.due(key)  # within the interval
    recorder.mark(uuid.uuid4())
    for _ in range(20):
        recorder.due(uuid.uuid4())
    assert len(recorder._recorded) <= 10
    recorder.forget()
    assert recorder.due(key)
