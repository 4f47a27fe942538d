"""What the webhook dispatcher logs while its rounds fail: one traceback, then a line a
minute, then a line when they work again. Before, an unmigrated database (a reload test)
logged a traceback every second."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest

from app.platform.db import Database
from app.webhooks import dispatcher as dispatcher_module
from app.webhooks.dispatcher import Dispatcher, DispatcherSettings

POLL = 0.01  # seconds between rounds
REPEAT = 0.1  # seconds between two "still failing" lines
FAILING_ROUNDS = 40  # about 0.4 s of failures: three or four "still failing" lines


class RecordedLog:
    """Stands in for the module's logger: structlog's `capture_logs` misses a logger
    cached by an earlier test in the same process (`cache_logger_on_first_use`)."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def _record(self, event: str, **fields: Any) -> None:
        self.entries.append({"event": event, **fields})

    info = warning = _record


async def test_failing_rounds_log_one_traceback_then_a_line_now_and_then(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = DispatcherSettings(poll_interval=POLL, repeat_failure_every=REPEAT)
    dispatcher = Dispatcher(cast(Database, None), settings)
    rounds = 0
    recovered = asyncio.Event()

    async def round_() -> None:
        nonlocal rounds
        rounds += 1
        if rounds <= FAILING_ROUNDS:
            raise RuntimeError('relation "webhook_dispatcher" does not exist')
        recovered.set()

    monkeypatch.setattr(dispatcher, "round", round_)
    recorded = RecordedLog()
    monkeypatch.setattr(dispatcher_module, "log", recorded)
    running = asyncio.create_task(dispatcher._run())
    await asyncio.wait_for(recovered.wait(), timeout=30)
    await asyncio.sleep(POLL * 5)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running

    logs = [entry for entry in recorded.entries if entry.get("holder") == dispatcher.holder]
    events = [entry["event"] for entry in logs]
    assert events.count("webhook_dispatcher_round_failed") == 1, events
    first = next(entry for entry in logs if entry["event"] == "webhook_dispatcher_round_failed")
    assert first["exc_info"] is True, "the first failure carries its traceback"
    still = [entry for entry in logs if entry["event"] == "webhook_dispatcher_still_failing"]
    # Rounds take at least POLL each, so 40 of them span ≥ 0.4 s: at most one line per
    # REPEAT, whatever the machine's speed; a slow machine only spreads them further.
    assert 1 <= len(still) <= (FAILING_ROUNDS * POLL * 10) / REPEAT, events
    assert all("does not exist" in entry["error"] and "exc_info" not in entry for entry in still)
    assert events[-1] == "webhook_dispatcher_recovered", events
    assert events.count("webhook_dispatcher_recovered") == 1, events
