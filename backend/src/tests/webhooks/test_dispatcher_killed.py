"""The dispatcher killed mid-delivery (SIGKILL of a real server process while its
receiver holds a delivery open): the next process takes the lease over once it runs
out, sends that delivery again, then the rest, in order. Nothing is lost; the one
duplicate carries the same `webhook-id`, so a receiver can tell (docs/webhooks.md)."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx

from tests.processes import backend_env, run_cli, running_backend, wait_until
from tests.webhooks.receiver import Received, running_receiver


def test_killed_mid_delivery_delivers_again(tmp_path: Path) -> None:
    env = backend_env(
        f"sqlite+aiosqlite:///{tmp_path / 'killed.db'}",
        tmp_path,
        WEBHOOKS_ALLOW_HTTP_LOOPBACK="1",
        WEBHOOKS_POLL_INTERVAL="0.05",
        WEBHOOKS_LEASE_SECONDS="2",
        WEBHOOKS_FIRST_RETRY_SECONDS="0.2",
    )
    run_cli("migrate", env=env)
    gate, holding = threading.Event(), threading.Event()

    def answer(item: Received) -> tuple[int, dict[str, str]]:
        if not gate.is_set():  # the first delivery: held open until the sender is dead
            holding.set()
            gate.wait(30)
        return 200, {}

    with running_receiver() as receiver:
        receiver.answer = answer
        with running_backend(env, tmp_path, "first") as first:
            with httpx.Client(base_url=first.url, timeout=10) as http:
                name, password = "hooked", "correct horse battery"
                assert http.post(
                    "/auth/signup", json={"name": name, "password": password}
                ).is_success
                token = http.post("/auth/login", data={"username": name, "password": password})
                session = {"Authorization": f"Bearer {token.json()['access_token']}"}
                list_id = http.post("/lists/", json={"name": "l"}, headers=session).json()["id"]
                body = {"url": receiver.url, "list_id": list_id, "event_types": ["todo.created"]}
                created = http.post("/webhooks", json=body, headers=session)
                assert created.status_code == 201, created.text
                receiver.secrets.append(created.json()["secret"])
                titles = [f"todo {n}" for n in range(5)]
                for title in titles:
                    response = http.post(
                        f"/lists/{list_id}/todos/", json={"title": title}, headers=session
                    )
                    assert response.status_code == 201, response.text
            wait_until(holding.is_set, timeout=20, what="the first delivery to arrive")
            first.kill()  # mid-delivery: the receiver has it, the sender never hears back
        gate.set()
        with running_backend(env, tmp_path, "second"):
            got = receiver.wait_for(5, timeout=30)

    ids = [item.msg_id for item in got]
    delivered_titles = [item.payload["data"]["todo"]["title"] for item in got]
    assert all(item.verified for item in got)
    # The held delivery arrived twice (same webhook-id), then the rest once each, in order.
    assert delivered_titles == ["todo 0", "todo 0", "todo 1", "todo 2", "todo 3", "todo 4"]
    assert ids[0] == ids[1]
    assert len(set(ids)) == 5
    print(
        f"\nsent {receiver.requests}, delivered {len(set(ids))} of 5, duplicates "
        f"{len(ids) - len(set(ids))}, in order: {delivered_titles == sorted(delivered_titles)}"
    )
