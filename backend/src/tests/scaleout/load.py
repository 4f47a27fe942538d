"""The client side of the fault tests: a well-behaved API client and what it saw.

The client follows the API's contract: a POST carries an `Idempotency-Key` and is
re-sent with the SAME key after a 502/503/504 or a dropped connection (honouring
`Retry-After`), so a retry can never create a second todo.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx

from tests.conftest import TEST_PASSWORD

RETRYABLE_STATUSES = frozenset({502, 503, 504})
MAX_RETRY_DELAY = 1.0


@dataclass
class Tally:
    """Every HTTP exchange a test made, and how it ended."""

    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: Counter[str] = field(default_factory=Counter)
    retried: int = 0  # client re-sends of a POST with the same Idempotency-Key
    slowest: float = 0.0  # seconds, the longest single exchange
    unavailable_without_retry_after: int = 0  # 503s missing the Retry-After header

    def record(self, outcome: httpx.Response | Exception, elapsed: float) -> None:
        self.sent += 1
        self.slowest = max(self.slowest, elapsed)
        if isinstance(outcome, httpx.Response):
            self.statuses[outcome.status_code] += 1
            if outcome.status_code == 503 and "retry-after" not in outcome.headers:
                self.unavailable_without_retry_after += 1
        else:
            self.transport_errors[type(outcome).__name__] += 1

    @property
    def ok(self) -> int:
        return sum(count for status, count in self.statuses.items() if 200 <= status < 300)

    def count(self, status: int) -> int:
        return self.statuses[status]

    def summary(self) -> str:
        statuses = ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses.items()))
        errors = dict(self.transport_errors) or "none"
        return (
            f"sent {self.sent} (2xx {self.ok}; {statuses}); transport errors {errors}; "
            f"client retries {self.retried}; slowest {self.slowest:.2f} s"
        )


async def send(
    client: httpx.AsyncClient, tally: Tally, method: str, url: str, **kwargs: object
) -> httpx.Response | Exception:
    started = time.monotonic()
    try:
        response = await client.request(method, url, **kwargs)  # type: ignore[arg-type]
    except httpx.TransportError as exc:
        tally.record(exc, time.monotonic() - started)
        return exc
    tally.record(response, time.monotonic() - started)
    return response


def retry_delay(outcome: httpx.Response | Exception) -> float:
    if isinstance(outcome, httpx.Response):
        try:
            return min(float(outcome.headers.get("retry-after", 0.2)), MAX_RETRY_DELAY)
        except ValueError:
            return 0.2
    return 0.2


async def create_todo(
    client: httpx.AsyncClient,
    tally: Tally,
    auth: dict[str, str],
    title: str,
    *,
    deadline: float,
) -> dict[str, object]:
    """POST /todo until acknowledged (201), re-sending the same Idempotency-Key."""
    headers = {**auth, "Idempotency-Key": f"key-{uuid.uuid4().hex}"}
    body = {"title": title, "content": f"written by the load of {title}"}
    while True:
        outcome = await send(client, tally, "POST", "/todo", json=body, headers=headers)
        if isinstance(outcome, httpx.Response):
            if outcome.status_code == 201:
                created: dict[str, object] = outcome.json()
                return created
            assert outcome.status_code in RETRYABLE_STATUSES, (
                f"POST /todo answered {outcome.status_code}: {outcome.text}"
            )
        if time.monotonic() > deadline:
            raise AssertionError(f"POST {title!r} not acknowledged before the deadline")
        tally.retried += 1
        await asyncio.sleep(retry_delay(outcome))


async def login(client: httpx.AsyncClient, name: str) -> dict[str, str]:
    """Sign `name` up and log in: the bearer header."""
    response = await client.post("/auth/signup", json={"name": name, "password": TEST_PASSWORD})
    assert response.status_code == 201, response.text
    response = await client.post("/auth/login", data={"username": name, "password": TEST_PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def new_user_name() -> str:
    return f"load-{uuid.uuid4().hex[:12]}"
