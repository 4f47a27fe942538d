"""Deliveries end to end, on SQLite, PostgreSQL and the cockroachdb dialect: an app
whose dispatcher sends to a real receiver on loopback (`receiver.py`), which verifies
every delivery with the Standard Webhooks reference verifier. Figures each test checks:
sent, delivered, duplicates, order (docs/webhooks.md, "What the tests show")."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from standardwebhooks import Webhook, WebhookVerificationError

from app.platform.tables import table
from tests import databases
from tests.conftest import migrated_app, new_address, signup_and_login
from tests.webhooks.receiver import Received, Receiver, running_receiver

FAST = {
    "webhooks_allow_http_loopback": True,
    "webhooks_poll_interval": 0.05,
    "webhooks_first_retry_seconds": 0.2,
    "webhooks_max_retry_interval_seconds": 0.5,
    "webhooks_lease_seconds": 2,
}


@pytest.fixture(params=["sqlite", "postgresql", "cockroachdb"])
async def hook_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database per test: the dispatcher's lease row is the database's."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'hooks.db'}"
        return
    await databases.require_postgres()
    driver = "cockroachdb+asyncpg" if request.param == "cockroachdb" else "postgresql+asyncpg"
    async with databases.fresh_postgres_database("mi_hooks") as fresh:
        yield fresh.set(drivername=driver).render_as_string(hide_password=False)


async def start(url: str, **overrides: Any) -> Any:
    return migrated_app(url, **{**FAST, **overrides})


async def setup(
    app: FastAPI, receiver: Receiver, **body: Any
) -> tuple[httpx.AsyncClient, dict[str, str], str, dict[str, Any]]:
    """A user, a list, and an endpoint for it at the receiver; the client stays open."""
    transport = httpx.ASGITransport(app=app, client=(new_address(), 40000))
    client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
    _, session = await signup_and_login(client)
    list_id = (await client.post("/lists/", json={"name": "l"}, headers=session)).json()["id"]
    body = {"url": receiver.url, "list_id": list_id, "event_types": ["todo.created"], **body}
    response = await client.post("/webhooks", json=body, headers=session)
    assert response.status_code == 201, response.text
    endpoint = response.json()
    receiver.secrets.append(endpoint["secret"])
    return client, session, list_id, endpoint


async def create_todos(
    client: httpx.AsyncClient, session: dict[str, str], list_id: str, count: int
) -> list[str]:
    titles = [f"todo {n}" for n in range(count)]
    for title in titles:
        response = await client.post(
            f"/lists/{list_id}/todos/", json={"title": title}, headers=session
        )
        assert response.status_code == 201, response.text
    return titles


def titles_of(got: list[Any]) -> list[str]:
    return [item.payload["data"]["todo"]["title"] for item in got]


async def wait_for(receiver: Receiver, count: int, seconds: float = 30) -> list[Any]:
    return await asyncio.to_thread(receiver.wait_for, count, seconds)


async def test_every_delivery_verifies_in_order(hook_url: str) -> None:
    with running_receiver() as receiver:
        async with await start(hook_url) as app:
            client, session, list_id, endpoint = await setup(app, receiver)
            titles = await create_todos(client, session, list_id, 20)
            got = await wait_for(receiver, 20)
            assert all(item.verified for item in got)
            assert titles_of(got) == titles  # in order, none twice
            assert got[0].payload["type"] == "todo.created"
            # Another list's and another kind's events are not sent.
            other = (await client.post("/lists/", json={"name": "o"}, headers=session)).json()
            await create_todos(client, session, other["id"], 2)
            log = await client.get(f"/webhooks/{endpoint['id']}/deliveries", headers=session)
            deliveries = log.json()
            assert len(deliveries) == 20
            assert {item["state"] for item in deliveries} == {"delivered"}
            assert all(item["attempts"] == 1 and item["last_status"] == 200 for item in deliveries)
            assert len(receiver.delivered()) == 20
            await client.aclose()

    # Replaying a delivery later: the specification's verification refuses its timestamp.
    replay = got[0]
    old = datetime.now(UTC) - timedelta(minutes=10)
    signed = Webhook(receiver.secrets[0]).sign(replay.msg_id, old, replay.body)
    headers = {**replay.headers, "webhook-timestamp": str(int(old.timestamp())),
               "webhook-signature": signed}  # fmt: skip
    with pytest.raises(WebhookVerificationError):
        Webhook(receiver.secrets[0]).verify(replay.body, headers)
    # And a tampered body does not verify.
    with pytest.raises(WebhookVerificationError):
        Webhook(receiver.secrets[0]).verify(replay.body + b" ", replay.headers)


async def first_failed_attempt(
    client: httpx.AsyncClient, session: dict[str, str], endpoint_id: str, seconds: float = 30
) -> dict[str, Any]:
    """The endpoint's first delivery once an attempt at it has failed (it was a fixed
    1.5 s wait, which a busy machine's dispatcher did not always fill: a flake)."""
    deadline = time.monotonic() + seconds
    while True:
        log = await client.get(f"/webhooks/{endpoint_id}/deliveries", headers=session)
        deliveries: list[dict[str, Any]] = log.json()
        tried = [item for item in deliveries if item["state"] == "pending" and item["attempts"]]
        if tried:
            return tried[0]
        assert time.monotonic() < deadline, f"no failed attempt in {seconds} s: {log.json()}"
        await asyncio.sleep(0.05)


async def test_receiver_down_then_up_gets_everything_in_order(hook_url: str) -> None:
    with running_receiver() as receiver:
        port = receiver.port
    async with await start(hook_url) as app:
        receiver = Receiver(port=port)
        client, session, list_id, endpoint = await setup(app, receiver)
        titles = await create_todos(client, session, list_id, 10)
        first = await first_failed_attempt(client, session, endpoint["id"])  # nobody listening
        assert first["last_error"]
        assert first["next_attempt_at"]
        with running_receiver(receiver.secrets, port=port) as back:
            got = await wait_for(back, 10)
            assert titles_of(got) == titles
            assert all(item.verified for item in got)
        await client.aclose()


async def test_errors_are_retried_then_delivered(hook_url: str) -> None:
    with running_receiver() as receiver:
        answers = iter([500, 503, 302])
        receiver.answer = lambda _: ((next(answers, 200), {"location": "http://169.254.169.254/"}))
        async with await start(hook_url) as app:
            client, session, list_id, endpoint = await setup(app, receiver)
            await create_todos(client, session, list_id, 2)
            got = await wait_for(receiver, 2)
            assert titles_of(got) == ["todo 0", "todo 1"]
            log = await client.get(f"/webhooks/{endpoint['id']}/deliveries", headers=session)
            oldest = log.json()[-1]
            assert oldest["attempts"] == 4  # 500, 503, a redirect not followed, then 200
            assert oldest["state"] == "delivered"
            await client.aclose()


async def test_disabled_after_retrying_and_owner_told(hook_url: str) -> None:
    with running_receiver() as receiver:
        receiver.answer = lambda _: (500, {})
        async with await start(hook_url, webhooks_retry_for_seconds=1) as app:
            client, session, list_id, endpoint = await setup(app, receiver)
            await create_todos(client, session, list_id, 3)
            url = f"/webhooks/{endpoint['id']}"
            deadline = time.monotonic() + 20
            while (await client.get(url, headers=session)).json()["enabled"]:
                assert time.monotonic() < deadline, "never disabled"
                await asyncio.sleep(0.1)
            page = (await client.get(url, headers=session)).json()
            assert "500" in page["disabled_reason"]
            log = (await client.get(f"{url}/deliveries", headers=session)).json()
            assert [item["state"] for item in log] == ["pending", "pending", "failed"]
            events = table("event")
            async with app.state.db.engine.connect() as conn:
                kinds = (await conn.execute(select(events.c.kind))).scalars().all()
            assert "webhook.disabled" in kinds

            # Enabled again, with a receiver that answers: the rest arrive, in order;
            # "send again" queues the failed one after them.
            receiver.answer = lambda _: (200, {})
            assert (await client.patch(url, json={"enabled": True}, headers=session)).is_success
            got = await wait_for(receiver, 2)
            assert titles_of(got) == ["todo 1", "todo 2"]
            again = await client.post(
                f"{url}/deliveries/{log[-1]['id']}/send-again", headers=session
            )
            assert again.status_code == 202, again.text
            got = await wait_for(receiver, 3)
            assert titles_of(got) == ["todo 1", "todo 2", "todo 0"]
            assert got[-1].msg_id == log[-1]["msg_id"]
            await client.aclose()


async def test_rotation_signs_with_both_secrets(hook_url: str) -> None:
    with running_receiver() as receiver:
        async with await start(hook_url) as app:
            client, session, list_id, endpoint = await setup(app, receiver)
            old = receiver.secrets.pop()
            rotated = await client.post(
                f"/webhooks/{endpoint['id']}/rotate-secret", headers=session
            )
            new = rotated.json()["secret"]
            receiver.secrets.append(new)  # the receiver knows only the new one
            await create_todos(client, session, list_id, 1)
            got = await wait_for(receiver, 1)
            assert len(got[0].headers["webhook-signature"].split(" ")) == 2
            Webhook(old).verify(got[0].body, got[0].headers)  # and the old one still works
            await client.aclose()


async def test_a_slow_receiver_never_slows_requests(hook_url: str) -> None:
    """The receiver holds the first delivery open until the test lets it go; the
    requests that make more changes meanwhile all finish while it is held (requests
    never wait on a delivery), and then every delivery arrives, in order. No time limit
    on the requests: a busy machine made a 1 s one fail once, and the held delivery
    shows the same thing without one."""
    gate, holding = threading.Event(), threading.Event()

    def answer(_item: Received) -> tuple[int, dict[str, str]]:
        holding.set()
        gate.wait(60)
        return 200, {}

    with running_receiver() as receiver:
        receiver.answer = answer
        async with await start(hook_url) as app:
            client, session, list_id, _ = await setup(app, receiver)
            await create_todos(client, session, list_id, 1)
            assert await asyncio.to_thread(holding.wait, 30), "the first delivery never came"
            for _ in range(5):
                await create_todos(client, session, list_id, 1)
            assert receiver.requests == 1, "all made while the first delivery was held"
            gate.set()
            got = await wait_for(receiver, 6, seconds=30)
            assert titles_of(got) == ["todo 0"] * 6  # each call made its own "todo 0"
            assert len({item.msg_id for item in got}) == 6
            await client.aclose()


async def test_every_list_endpoint_hears_of_its_lists_deletion(hook_url: str) -> None:
    """A deleted list has no owner any more when the dispatcher copies its `list.deleted`:
    it goes to whoever owned it at the dispatcher's last look, or became its owner in the
    same batch of the log (a list made and deleted between two rounds). A list of someone
    else's is not reported."""
    with running_receiver() as receiver:
        async with await start(hook_url) as app:
            client, session, list_id, _ = await setup(
                app, receiver, list_id=None, event_types=["todo.created", "list.deleted"]
            )
            await create_todos(client, session, list_id, 1)
            await wait_for(receiver, 1)  # the dispatcher has seen the list
            assert (await client.delete(f"/lists/{list_id}", headers=session)).status_code == 200
            # Made and deleted at once: in one batch of the log, most likely.
            brief = (await client.post("/lists/", json={"name": "b"}, headers=session)).json()
            assert (
                await client.delete(f"/lists/{brief['id']}", headers=session)
            ).status_code == 200
            # Someone else's list: never theirs to hear of.
            _, stranger = await signup_and_login(client)
            theirs = (await client.post("/lists/", json={"name": "t"}, headers=stranger)).json()
            assert (
                await client.delete(f"/lists/{theirs['id']}", headers=stranger)
            ).status_code == 200
            got = await wait_for(receiver, 3)
            deleted = [
                item.payload["data"] for item in got if item.payload["type"] == "list.deleted"
            ]
            assert deleted == [
                {"type": "list.deleted", "list_id": list_id},
                {"type": "list.deleted", "list_id": brief["id"]},
            ]
            await asyncio.sleep(0.5)  # ten more rounds: nothing else comes
            assert len(receiver.delivered()) == 3
            await client.aclose()
