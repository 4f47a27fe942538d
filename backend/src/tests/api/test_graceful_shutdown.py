"""SIGTERM drains a real server started through the CLI: every request in flight when
the signal arrives gets its whole response, and the process exits 0. Whoever sends it:
`docker stop` and `kill PID` signal the supervisor alone; systemd (KillMode=control-group)
and `kill -- -PGID` signal every process of the server at once."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from tests.conftest import TEST_PASSWORD
from tests.processes import migrated_env, running_backend

IN_FLIGHT = 15


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data_dir: Path = tmp_path_factory.mktemp("drain")
    # One user logs in IN_FLIGHT times at once, from one address: within the throttle's
    # limits on concurrent attempts (not what these tests are about) with room to spare.
    return migrated_env(
        f"sqlite+aiosqlite:///{data_dir / 'drain.db'}",
        data_dir,
        LOGIN_FAILURES_PER_NAME=str(2 * IN_FLIGHT),
        LOGIN_FAILURES_PER_ADDRESS=str(2 * IN_FLIGHT),
    )


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("whole_group", [False, True], ids=["to-supervisor", "to-process-group"])
async def test_sigterm_drains_in_flight_log_ins(
    env: dict[str, str], tmp_path: Path, workers: int, whole_group: bool
) -> None:
    name = f"drain-{workers}-{int(whole_group)}"
    with running_backend(env, tmp_path, "drain", workers=workers, graceful_timeout=20) as backend:
        limits = httpx.Limits(max_connections=IN_FLIGHT)
        async with httpx.AsyncClient(base_url=backend.url, timeout=30, limits=limits) as client:
            signup = await client.post(
                "/auth/signup", json={"name": name, "password": TEST_PASSWORD}
            )
            assert signup.status_code == 201, signup.text

            # Each log-in sends its head and half its form, then waits: when SIGTERM
            # arrives all of them are inside the server, which cannot answer any yet.
            release = asyncio.Event()
            started = [asyncio.Event() for _ in range(IN_FLIGHT)]

            async def held_form(sent: asyncio.Event) -> AsyncIterator[bytes]:
                yield urlencode({"username": name}).encode() + b"&"
                sent.set()
                await release.wait()
                yield urlencode({"password": TEST_PASSWORD}).encode()

            form = {"Content-Type": "application/x-www-form-urlencoded"}
            log_ins = [
                asyncio.create_task(
                    client.post("/auth/login", content=held_form(sent), headers=form)
                )
                for sent in started
            ]
            await asyncio.wait_for(asyncio.gather(*(sent.wait() for sent in started)), 10)
            await asyncio.sleep(0.5)  # the bytes reach the worker

            backend.send_signal(signal.SIGTERM, whole_group=whole_group)
            await asyncio.sleep(1)
            assert backend.alive(), "it waits for the requests in flight"
            assert not any(task.done() for task in log_ins)
            release.set()  # the log-ins now run: Argon2, about 0.25 s of CPU each here
            outcomes = await asyncio.gather(*log_ins, return_exceptions=True)
        code = await asyncio.to_thread(backend.process.wait, 30)

    failed = [repr(o) for o in outcomes if not isinstance(o, httpx.Response)]
    assert not failed, f"{len(failed)} of {IN_FLIGHT} log-ins got no response: {failed[:3]}"
    responses = [o for o in outcomes if isinstance(o, httpx.Response)]
    assert [r.status_code for r in responses] == [200] * IN_FLIGHT
    assert all(r.json()["token_type"] == "bearer" for r in responses)
    assert code == 0, backend.log_text()[-3000:]
