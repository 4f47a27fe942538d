"""Webhook endpoints on every engine: registered by a list's owner (or for all their
lists), the secret shown once, listed without it, changed, rotated, deleted; and every
URL the SSRF rules refuse, refused (docs/webhooks.md).

Names resolve through a stub (`stub_dns`), so these tests need no network: a public
name, a name resolving to a private address, one resolving to both."""

from __future__ import annotations

import asyncio
import ipaddress
import uuid
from typing import Any

import httpx
import pytest

from app.webhooks import ssrf
from tests.conftest import MakeUser
from tests.sharing import add_member

Headers = dict[str, str]
PUBLIC = "hooks.example.com"
STUB = {
    PUBLIC: ["93.184.215.14"],
    "private.example.com": ["10.1.2.3"],
    "mixed.example.com": ["93.184.215.14", "192.168.1.1"],
    "metadata.example.com": ["169.254.169.254"],
    "cgnat.example.com": ["100.64.0.1"],
    "mapped.example.com": ["::ffff:127.0.0.1"],
    "ec2.example.com": ["fd00:ec2::254"],
}


@pytest.fixture(autouse=True)
def stub_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Known names from STUB; numeric hosts through the real resolver (it does no I/O
    for them, and it is what turns `0x7f000001` into 127.0.0.1)."""
    real = ssrf.system_lookup

    async def lookup(host: str, port: int) -> list[ssrf.IPAddress]:
        if host in STUB:
            return [ipaddress.ip_address(address) for address in STUB[host]]
        if host.endswith(".example.com"):
            raise OSError("unknown name")
        return await real(host, port)

    monkeypatch.setattr(ssrf, "lookup", lookup)


async def register(client: httpx.AsyncClient, session: Headers, **body: Any) -> httpx.Response:
    body = {"url": f"https://{PUBLIC}/hook", "event_types": ["todo.created"], **body}
    return await client.post("/webhooks", json=body, headers=session)


async def new_list(client: httpx.AsyncClient, session: Headers) -> str:
    response = await client.post("/lists/", json={"name": "hooked"}, headers=session)
    assert response.status_code == 201, response.text
    list_id: str = response.json()["id"]
    return list_id


class TestCreateWebhooks:
    async def test_create_shows_secret_once(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, session = await make_user()
        list_id = await new_list(client, session)
        response = await register(
            client, session, list_id=list_id, event_types=["todo.updated", "todo.created"]
        )
        assert response.status_code == 201, response.text
        assert response.headers["cache-control"] == "no-store"
        created = response.json()
        assert created["secret"].startswith("whsec_")
        assert created["list_id"] == list_id
        assert created["event_types"] == ["todo.created", "todo.updated"]
        assert created["enabled"] is True

        listed = (await client.get("/webhooks", headers=session)).json()
        assert [item["id"] for item in listed] == [created["id"]]
        assert "secret" not in listed[0]
        one = (await client.get(f"/webhooks/{created['id']}", headers=session)).json()
        assert "secret" not in one
        assert one["url"] == f"https://{PUBLIC}/hook"

    async def test_for_every_list(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, session = await make_user()
        response = await register(client, session)
        assert response.status_code == 201, response.text
        assert response.json()["list_id"] is None

    async def test_unauth(self, client: httpx.AsyncClient) -> None:
        assert (await register(client, {})).status_code == 401

    async def test_a_list_of_someone_else_is_404(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        _, other = await make_user()
        list_id = await new_list(client, owner)
        assert (await register(client, other, list_id=list_id)).status_code == 404
        assert (await register(client, other, list_id=str(uuid.uuid4()))).status_code == 404

    async def test_an_editor_may_not(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, owner = await make_user()
        editor_name, editor = await make_user()
        list_id = await new_list(client, owner)
        added = await add_member(client, owner, list_id, editor_name, "editor", editor)
        assert added.status_code == 200, added.text
        response = await register(client, editor, list_id=list_id)
        assert response.status_code == 403, response.text
        assert "owner" in response.json()["detail"]

    async def test_a_personal_access_token_may_not(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, session = await make_user()
        body = {"name": "s", "access": "read-write", "expires_in_days": 1}
        token = (await client.post("/me/tokens", json=body, headers=session)).json()["secret"]
        response = await register(client, {"Authorization": f"Bearer {token}"})
        assert response.status_code == 403, response.text

    @pytest.mark.parametrize(
        "event_types", [[], ["todo.nope"], ["session.ended"], ["webhook.disabled"], "todo.created"]
    )
    async def test_bad_event_types(
        self, client: httpx.AsyncClient, make_user: MakeUser, event_types: Any
    ) -> None:
        _, session = await make_user()
        assert (await register(client, session, event_types=event_types)).status_code == 422

    async def test_too_many(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, session = await make_user()
        for _ in range(20):
            assert (await register(client, session)).status_code == 201
        response = await register(client, session)
        assert response.status_code == 409, response.text


class TestSSRF:
    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:8000/hook",  # http, and loopback, without the dev setting
            "https://127.0.0.1/hook",
            "https://localhost/hook",
            "https://169.254.169.254/latest/meta-data/",
            "https://[::1]/hook",
            "https://0x7f000001/hook",
            "https://2130706433/hook",  # 127.0.0.1 as one decimal number
            "https://0177.0.0.1/hook",  # and in octal
            "https://[::ffff:127.0.0.1]/hook",
            "https://[fd00:ec2::254]/hook",
            "https://10.0.0.1/hook",
            "https://192.168.0.10/hook",
            "https://172.16.5.4/hook",
            "https://100.64.0.1/hook",
            "https://0.0.0.0/hook",
            "https://[fe80::1]/hook",
            "https://224.0.0.1/hook",
            "https://private.example.com/hook",  # a name resolving to a private address
            "https://mixed.example.com/hook",  # one private address among public ones
            "https://metadata.example.com/hook",
            "https://cgnat.example.com/hook",
            "https://mapped.example.com/hook",
            "https://ec2.example.com/hook",
            "https://nowhere.example.com/hook",  # does not resolve
            "ftp://hooks.example.com/hook",
            "https://user:pass@hooks.example.com/hook",
            "https:///hook",
            "https://hooks.example.com:99999/hook",
            "javascript:alert(1)",
            "",
        ],
    )
    async def test_refused_at_registration(
        self, client: httpx.AsyncClient, make_user: MakeUser, url: str
    ) -> None:
        _, session = await make_user()
        response = await register(client, session, url=url)
        assert response.status_code == 422, response.text
        assert (await client.get("/webhooks", headers=session)).json() == []

    async def test_refused_on_change(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, session = await make_user()
        created = (await register(client, session)).json()
        response = await client.patch(
            f"/webhooks/{created['id']}",
            json={"url": "https://169.254.169.254/"},
            headers=session,
        )
        assert response.status_code == 422, response.text
        one = (await client.get(f"/webhooks/{created['id']}", headers=session)).json()
        assert one["url"] == f"https://{PUBLIC}/hook"

    @pytest.mark.parametrize(
        ("address", "allowed"),
        [
            ("93.184.215.14", True),
            ("2606:4700::1111", True),
            ("127.0.0.1", False),
            ("::1", False),
            ("169.254.169.254", False),
            ("fd00:ec2::254", False),
            ("100.64.0.1", False),
            ("100.127.255.254", False),
            ("::ffff:10.0.0.1", False),
            ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
            ("2002:a00:1::", False),  # 6to4 of 10.0.0.1
        ],
    )
    def test_addresses(self, address: str, allowed: bool) -> None:
        found = ssrf.refusal(ipaddress.ip_address(address), allow_loopback=False)
        assert (found is None) == allowed, found


class TestUpdateWebhooks:
    async def test_disable_enable_and_types(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, session = await make_user()
        created = (await register(client, session)).json()
        url = f"/webhooks/{created['id']}"
        off = (await client.patch(url, json={"enabled": False}, headers=session)).json()
        assert off["enabled"] is False
        assert off["disabled_reason"]
        on = await client.patch(
            url, json={"enabled": True, "event_types": ["todo.deleted"]}, headers=session
        )
        assert on.status_code == 200, on.text
        assert on.json()["enabled"] is True
        read = (await client.get(url, headers=session)).json()
        assert read["event_types"] == ["todo.deleted"]
        assert read["disabled_at"] is None

    async def test_rotate_keeps_the_previous_for_a_day(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, session = await make_user()
        created = (await register(client, session)).json()
        response = await client.post(f"/webhooks/{created['id']}/rotate-secret", headers=session)
        assert response.status_code == 200, response.text
        rotated = response.json()
        assert rotated["secret"] != created["secret"]
        assert rotated["previous_secret_until"] is not None

    async def test_someone_elses_is_404(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        _, other = await make_user()
        created = (await register(client, owner)).json()
        url = f"/webhooks/{created['id']}"
        assert (await client.get(url, headers=other)).status_code == 404
        assert (await client.patch(url, json={"enabled": False}, headers=other)).status_code == 404
        assert (await client.post(f"{url}/rotate-secret", headers=other)).status_code == 404
        assert (await client.get(f"{url}/deliveries", headers=other)).status_code == 404
        assert (await client.delete(url, headers=other)).status_code == 404
        assert (await client.get(url, headers=owner)).status_code == 200


class TestDeleteWebhooks:
    async def test_delete(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, session = await make_user()
        created = (await register(client, session)).json()
        url = f"/webhooks/{created['id']}"
        assert (await client.delete(url, headers=session)).status_code == 204
        assert (await client.get(url, headers=session)).status_code == 404
        assert (await client.delete(url, headers=session)).status_code == 404
        assert (await client.get("/webhooks", headers=session)).json() == []

    async def test_send_again_unknown_delivery(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, session = await make_user()
        created = (await register(client, session)).json()
        url = f"/webhooks/{created['id']}/deliveries/{uuid.uuid4()}/send-again"
        assert (await client.post(url, headers=session)).status_code == 404


class TestAttacks:
    async def test_fifty_registrations_at_once_stop_at_the_cap(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, session = await make_user()
        responses = await asyncio.gather(*(register(client, session) for _ in range(50)))
        statuses = sorted(response.status_code for response in responses)
        assert statuses.count(201) == 20, statuses
        assert set(statuses) <= {201, 409, 503}, statuses
        assert len((await client.get("/webhooks", headers=session)).json()) == 20

    @pytest.mark.parametrize(
        "body",
        [
            {"url": "https://hooks.example.com/" + "a" * 2000},
            # A NUL byte was a 201 on SQLite (and PostgreSQL stores no NUL).
            {"url": "https://hooks.example.com/\x00"},
            {"url": "https://hooks.example.com/\r\nX-Injected: 1"},
            {"url": "https://hooks.example.com/a b"},
            {"url": 12},
            {"list_id": "not-a-uuid"},
            {"list_id": 2**63},
            {"event_types": ["todo.created"] * 100},
            {"event_types": None},
        ],
    )
    async def test_hostile_bodies_are_422(
        self, client: httpx.AsyncClient, make_user: MakeUser, body: dict[str, Any]
    ) -> None:
        _, session = await make_user()
        assert (await register(client, session, **body)).status_code == 422

    @pytest.mark.parametrize("limit", ["0", "101", "-1", str(2**63), "NaN", "1e3"])
    async def test_hostile_delivery_limits_are_422(
        self, client: httpx.AsyncClient, make_user: MakeUser, limit: str
    ) -> None:
        _, session = await make_user()
        created = (await register(client, session)).json()
        url = f"/webhooks/{created['id']}/deliveries?limit={limit}"
        assert (await client.get(url, headers=session)).status_code == 422

    async def test_forged_ids_are_404_or_422(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, session = await make_user()
        for path in ("/webhooks/not-a-uuid", f"/webhooks/{uuid.uuid4()}/deliveries/x/send-again"):
            response = await client.post(path, headers=session)
            assert response.status_code in (404, 405, 422), (path, response.status_code)
        assert (await client.get(f"/webhooks/{uuid.uuid4()}", headers=session)).status_code == 404
