"""Share links (issue 32, items 3 and 4), on every engine: the whole flow, who may do
what with a link, the options' bounds, what the live stream carries to whom, the
housekeeping, and the attacks the issue lists (each a test: guessing secrets, a
deleted list's link, a link used after revoke, 50 concurrent joins on a link with 3
uses).

Each test's users come from their own client address (`client_from`), as in the
invitations tests: failed joins count per address, like failed log-ins."""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, update

from app.invitations import service as invitations
from app.platform.http import middleware
from app.platform.tables import table, utcnow
from app.sharelinks import service as share_links
from tests.conftest import ClientFrom, MakeUser, new_address, signup_and_login
from tests.lists.test_lists import new_list, ok, personal_list
from tests.sharing import add_member
from tests.sse import open_stream

Headers = dict[str, str]


async def create_link(
    client: httpx.AsyncClient, owner: Headers, list_id: str, **options: Any
) -> httpx.Response:
    body = {"role": "viewer", **options}
    return await client.post(f"/lists/{list_id}/share-links", json=body, headers=owner)


async def new_link(
    client: httpx.AsyncClient, owner: Headers, list_id: str, **options: Any
) -> dict[str, Any]:
    created = await create_link(client, owner, list_id, **options)
    assert created.status_code == 201, created.text
    link: dict[str, Any] = created.json()
    return link


async def join(client: httpx.AsyncClient, headers: Headers, secret: str) -> httpx.Response:
    return await client.post("/share-links/join", json={"secret": secret}, headers=headers)


async def links(client: httpx.AsyncClient, owner: Headers, list_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await ok(
        await client.get(f"/lists/{list_id}/share-links", headers=owner)
    )
    return found


async def members(client: httpx.AsyncClient, owner: Headers, list_id: str) -> dict[str, str]:
    found = await ok(await client.get(f"/lists/{list_id}/members", headers=owner))
    return {m["name"]: m["role"] for m in found}


NOT_WORKING = "This share link does not work: it was revoked, it expired or was used up"


class TestShareLinks:
    async def test_create_list_join(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        owner_name, owner = await make_user()
        name, headers = await make_user()
        list_id = await new_list(client, owner, "Groceries")
        created = await create_link(client, owner, list_id, role="editor", max_uses=3)
        assert created.status_code == 201, created.text
        assert created.headers["Cache-Control"] == "no-store"
        link = created.json()
        secret = link.pop("secret")
        assert len(secret) == 43  # 32 random bytes, URL-safe base64
        assert {k: link[k] for k in ("list_id", "role", "created_by", "max_uses", "uses")} == {
            "list_id": list_id,
            "role": "editor",
            "created_by": owner_name,
            "max_uses": 3,
            "uses": 0,
        }
        assert link["expires_at"] is None
        # Listed without the secret.
        assert await links(client, owner, list_id) == [link]

        joined = await join(client, headers, secret)
        assert joined.status_code == 200, joined.text
        assert joined.json()["already_member"] is False
        assert (joined.json()["list"]["id"], joined.json()["list"]["role"]) == (list_id, "editor")
        assert await members(client, owner, list_id) == {owner_name: "owner", name: "editor"}
        assert (await links(client, owner, list_id))[0]["uses"] == 1

        # A member already: nothing changes, no use counted, and the answer says so.
        again = await join(client, headers, secret)
        assert (again.status_code, again.json()["already_member"]) == (200, True)
        assert (await join(client, owner, secret)).json()["already_member"] is True
        assert (await links(client, owner, list_id))[0]["uses"] == 1
        assert await members(client, owner, list_id) == {owner_name: "owner", name: "editor"}

    async def test_expiry_and_bounds(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, owner = await make_user()
        list_id = await new_list(client, owner)
        link = await new_link(client, owner, list_id, expires_in_days=7)
        assert link["expires_at"] is not None
        assert link["expires_at"] > link["created_at"]
        for bad in (
            {"role": "owner"},
            {"role": "admin"},
            {"expires_in_days": 0},
            {"expires_in_days": 366},
            {"max_uses": 0},
            {"max_uses": -1},
            {"max_uses": 2**31},
            {"max_uses": 2**63},
            {"max_uses": "NaN"},
            {"expires_in_days": 1.5},
        ):
            refused = await create_link(client, owner, list_id, **bad)
            assert refused.status_code == 422, (bad, refused.text)
        for body in ({}, {"secret": ""}, {"secret": "x" * 129}, {"secret": None}):
            refused = await client.post("/share-links/join", json=body, headers=owner)
            assert refused.status_code == 422, (body, refused.text)
        # The personal list cannot be shared, by link either.
        personal = await personal_list(client, owner)
        assert (await create_link(client, owner, personal["id"])).status_code == 409

    async def test_an_expired_link_joins_nobody(
        self, client: httpx.AsyncClient, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        _, owner = await make_user()
        _, headers = await make_user()
        list_id = await new_list(client, owner)
        link = await new_link(client, owner, list_id, expires_in_days=1)
        later = utcnow() + timedelta(days=1, seconds=1)
        monkeypatch.setattr(share_links, "utcnow", lambda: later)
        expired = await join(client, headers, link["secret"])
        assert (expired.status_code, expired.json()["detail"]) == (404, NOT_WORKING)
        # The owners still see it, until the housekeeping prunes it a day later.
        assert [found["id"] for found in await links(client, owner, list_id)] == [link["id"]]

    async def test_signed_out_and_read_tokens_cannot_join(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        _, headers = await make_user()
        list_id = await new_list(client, owner)
        link = await new_link(client, owner, list_id)
        signed_out = await client.post("/share-links/join", json={"secret": link["secret"]})
        assert signed_out.status_code == 401
        token = await ok(
            await client.post(
                "/me/tokens",
                json={"name": "read", "access": "read", "expires_in_days": 1},
                headers=headers,
            )
        )
        read_only = {"Authorization": f"Bearer {token['secret']}"}
        refused = await join(client, read_only, link["secret"])
        assert refused.status_code == 403, refused.text
        assert (await links(client, owner, list_id))[0]["uses"] == 0

    async def test_a_link_is_limited_per_list(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        list_id = await new_list(client, owner)
        made = await asyncio.gather(
            *(
                create_link(client, owner, list_id)
                for _ in range(share_links.MAX_LINKS_PER_LIST + 5)
            )
        )
        statuses = Counter(response.status_code for response in made)
        assert statuses == {201: share_links.MAX_LINKS_PER_LIST, 409: 5}, statuses
        refused = next(response for response in made if response.status_code == 409)
        assert "share links, the most a list may" in refused.json()["detail"]
        first = next(response.json() for response in made if response.status_code == 201)
        revoked = await client.delete(f"/lists/{list_id}/share-links/{first['id']}", headers=owner)
        assert revoked.status_code == 200
        assert (await create_link(client, owner, list_id)).status_code == 201


class TestRevoke:
    async def test_revoked_joins_nobody_and_members_stay(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        owner_name, owner = await make_user()
        name, headers = await make_user()
        _, late = await make_user()
        list_id = await new_list(client, owner)
        link = await new_link(client, owner, list_id)
        assert (await join(client, headers, link["secret"])).status_code == 200
        revoked = await client.delete(f"/lists/{list_id}/share-links/{link['id']}", headers=owner)
        assert (revoked.status_code, revoked.json()) == (200, {})
        assert await links(client, owner, list_id) == []
        refused = await join(client, late, link["secret"])
        assert (refused.status_code, refused.json()["detail"]) == (404, NOT_WORKING)
        # Who joined through it stays a member.
        assert await members(client, owner, list_id) == {owner_name: "owner", name: "viewer"}
        again = await client.delete(f"/lists/{list_id}/share-links/{link['id']}", headers=owner)
        assert again.status_code == 404
        # A link is revoked through its own list only.
        other = await new_list(client, owner)
        kept = await new_link(client, owner, list_id)
        elsewhere = await client.delete(f"/lists/{other}/share-links/{kept['id']}", headers=owner)
        assert elsewhere.status_code == 404
        assert [found["id"] for found in await links(client, owner, list_id)] == [kept["id"]]


class TestWhoMay:
    async def test_only_owners_manage_links(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        viewer_name, viewer = await make_user()
        editor_name, editor = await make_user()
        _, stranger = await make_user()
        list_id = await new_list(client, owner)
        assert (await add_member(client, owner, list_id, viewer_name, "viewer", viewer)).is_success
        assert (await add_member(client, owner, list_id, editor_name, "editor", editor)).is_success
        link = await new_link(client, owner, list_id)
        for headers, expected in ((viewer, 403), (editor, 403), (stranger, 404)):
            assert (await create_link(client, headers, list_id)).status_code == expected
            listed = await client.get(f"/lists/{list_id}/share-links", headers=headers)
            assert listed.status_code == expected
            path = f"/lists/{list_id}/share-links/{link['id']}"
            assert (await client.delete(path, headers=headers)).status_code == expected
        assert len(await links(client, owner, list_id)) == 1

    async def test_a_block_does_not_stop_a_link(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        """Blocks stop invitations, which arrive unasked; a link is opened by choice."""
        owner_name, owner = await make_user()
        name, headers = await make_user()
        blocked = await client.put(f"/me/blocks/{owner_name}", headers=headers)
        assert blocked.status_code == 204
        list_id = await new_list(client, owner)
        link = await new_link(client, owner, list_id)
        assert (await join(client, headers, link["secret"])).status_code == 200
        assert (await members(client, owner, list_id))[name] == "viewer"


class TestLiveEvents:
    async def test_owners_only_hear_of_links_and_members_of_joins(
        self, app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        viewer_name, viewer = await make_user()
        name, headers = await make_user()
        list_id = await new_list(client, owner)
        assert (await add_member(client, owner, list_id, viewer_name, "viewer", viewer)).is_success
        async with (
            open_stream(app, owner) as owners,
            open_stream(app, viewer) as viewers,
        ):
            for stream in (owners, viewers):
                assert (await stream.next()).type == "ready"
            link = await new_link(client, owner, list_id)
            created = await owners.next()
            public = {k: v for k, v in link.items() if k != "secret"}
            assert created.data == {"type": "share_link.created", "link": public}
            assert link["secret"] not in str(created.data)
            assert (await join(client, headers, link["secret"])).status_code == 200
            for stream in (owners, viewers):
                added = await stream.next()
                assert (added.type, added.data["name"]) == ("member.added", name)
            revoked = await client.delete(
                f"/lists/{list_id}/share-links/{link['id']}", headers=owner
            )
            assert revoked.status_code == 200
            gone = await owners.next()
            assert gone.data == {"type": "share_link.revoked", "link": {**public, "uses": 1}}
            await client.post(f"/lists/{list_id}/todos", json={"title": "t"}, headers=owner)
            # The viewer heard of the join, never of the link.
            assert [m.type for m in await viewers.until("todo.created")] == ["todo.created"]


class TestHousekeeping:
    async def test_expired_invitations_and_links_are_pruned(
        self, app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:  # fmt: skip
        _, owner = await make_user()
        name, headers = await make_user()
        list_id = await new_list(client, owner)
        db = app.state.db
        monkeypatch.setattr(invitations, "INVITATION_TTL", timedelta(days=-2))
        put = await client.put(
            f"/lists/{list_id}/members/{name}", json={"role": "viewer"}, headers=owner
        )
        invitation = put.json()
        old = await new_link(client, owner, list_id, expires_in_days=1)
        fresh = await new_link(client, owner, list_id, expires_in_days=1)
        now = utcnow()
        monkeypatch.setattr(share_links, "utcnow", lambda: now + timedelta(days=2, seconds=1))
        # The fresh one was made "a day later": only the old one is past the margin.
        async with app.state.db.engine.begin() as conn:
            links_table = table("share_link")
            await conn.execute(
                update(links_table)
                .where(links_table.c.id == uuid.UUID(fresh["id"]))
                .values(expires_at=now + timedelta(days=2))
            )
        assert await invitations.prune_expired(db) >= 1
        assert await share_links.prune_expired(db) >= 1  # other tests' may go too
        accepted = await client.post(f"/me/invitations/{invitation['id']}/accept", headers=headers)
        assert accepted.status_code == 404
        assert [found["id"] for found in await links(client, owner, list_id)] == [fresh["id"]]
        assert old["id"] != fresh["id"]


@contextmanager
def statements_of(app: FastAPI) -> Iterator[list[str]]:
    """The SQL the app runs meanwhile on users, links and the throttle, in order (its
    text: the parameters differ)."""
    seen: list[str] = []
    engine = app.state.db.engine.sync_engine

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        # The request's statements only: the broker's and the dispatcher's polls run on
        # the same engine meanwhile, whenever their timers say.
        if "share_link" in statement or "login_throttle" in statement or "users" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


class TestAttacks:
    async def test_a_wrong_secret_and_a_revoked_one_take_the_same_path(
        self, app: FastAPI, client_from: ClientFrom, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Revoking deletes the row, so a revoked secret's lookup finds nothing, exactly
        as a wrong one's: the same statements, the same answer, and (printed, for the
        record) the same time within noise."""
        monkeypatch.setattr(app.state.settings, "login_failures_per_name", 10_000)
        monkeypatch.setattr(app.state.settings, "login_failures_per_address", 10_000)
        async with client_from(new_address()) as client:
            _, owner = await signup_and_login(client)
            _, headers = await signup_and_login(client)
            list_id = await new_list(client, owner)
            link = await new_link(client, owner, list_id)
            path = f"/lists/{list_id}/share-links/{link['id']}"
            assert (await client.delete(path, headers=owner)).status_code == 200
            wrong = link["secret"][:-4] + "AAAA"
            answers = {}
            paths = {}
            for label, secret in (("wrong", wrong), ("revoked", link["secret"])):
                with statements_of(app) as seen:
                    answer = await join(client, headers, secret)
                answers[label] = (answer.status_code, answer.json())
                paths[label] = seen
            assert answers["wrong"] == answers["revoked"] == (404, {"detail": NOT_WORKING})
            assert paths["wrong"] == paths["revoked"]
            timings: dict[str, list[float]] = {"wrong": [], "revoked": []}
            for _ in range(20):
                for label, secret in (("wrong", wrong), ("revoked", link["secret"])):
                    started = time.perf_counter()
                    await join(client, headers, secret)
                    timings[label].append(time.perf_counter() - started)
            medians = {label: statistics.median(values) * 1000 for label, values in timings.items()}
            print(f"join with a wrong / revoked secret, median ms: {medians}")

    async def test_a_burst_of_guesses_is_throttled_like_log_ins(
        self, app: FastAPI, client_from: ClientFrom
    ) -> None:
        """30 guesses at once from one account: the per-account limit's worth are looked
        up (404), the rest refused (429) without a lookup; then even the right secret
        waits out the lock. Successful joins never count."""
        limit = app.state.settings.login_failures_per_name
        async with client_from(new_address()) as client:
            _, owner = await signup_and_login(client)
            _, headers = await signup_and_login(client)
            list_id = await new_list(client, owner)
            link = await new_link(client, owner, list_id)
            for _ in range(limit + 3):  # right secrets: no count
                assert (await join(client, owner, link["secret"])).status_code == 200
            guesses = await asyncio.gather(
                *(join(client, headers, f"guess-{n}") for n in range(30))
            )
            statuses = Counter(response.status_code for response in guesses)
            print(f"30 guesses at once from one account: {dict(statuses)}")
            assert statuses == {404: limit, 429: 30 - limit}, statuses
            refused = next(response for response in guesses if response.status_code == 429)
            assert "share links that did not work" in refused.json()["detail"]
            assert (
                0 < int(refused.headers["Retry-After"]) <= app.state.settings.login_lockout_seconds
            )
            locked = await join(client, headers, link["secret"])
            assert locked.status_code == 429
            # The lock is the account's and the address's, not the list's: others join.
        async with client_from(new_address()) as elsewhere:
            _, other = await signup_and_login(elsewhere)
            assert (await join(elsewhere, other, link["secret"])).status_code == 200

    async def test_a_deleted_lists_link_joins_nobody(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        _, headers = await make_user()
        list_id = await new_list(client, owner)
        link = await new_link(client, owner, list_id)
        assert (await client.delete(f"/lists/{list_id}", headers=owner)).status_code == 200
        refused = await join(client, headers, link["secret"])
        assert (refused.status_code, refused.json()["detail"]) == (404, NOT_WORKING)

    async def test_fifty_joins_at_once_on_a_three_use_link_make_three_members(
        self, app: FastAPI, client_from: ClientFrom
    ) -> None:
        async with client_from(new_address()) as client:
            owner_name, owner = await signup_and_login(client)
            list_id = await new_list(client, owner)
            link = await new_link(client, owner, list_id, max_uses=3)
            people = [await signup_and_login(client) for _ in range(50)]

            async def join_from_own_address(headers: Headers) -> httpx.Response:
                async with client_from(new_address()) as own:
                    return await join(own, headers, link["secret"])

            responses = await asyncio.gather(
                *(join_from_own_address(headers) for _, headers in people)
            )
            statuses = Counter(response.status_code for response in responses)
            assert statuses == {200: 3, 404: 47}, statuses
            joined = {name for (name, _), r in zip(people, responses, strict=True) if r.is_success}
            assert set(await members(client, owner, list_id)) == {owner_name, *joined}
            assert (await links(client, owner, list_id))[0]["uses"] == 3

    async def test_the_secret_reaches_no_access_line(
        self, client: httpx.AsyncClient, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The access lines (each request's path, the one place a URL is logged): the
        secret is in none, as it travels in bodies only."""
        _, owner = await make_user()
        _, headers = await make_user()
        list_id = await new_list(client, owner)
        logged: list[dict[str, Any]] = []

        class Recorder:
            def info(self, event: str, **fields: Any) -> None:
                logged.append({"event": event, **fields})

            exception = info

        monkeypatch.setattr(middleware, "access_log", Recorder())
        created = await create_link(client, owner, list_id)
        secret = created.json()["secret"]
        assert (await join(client, headers, secret)).status_code == 200
        assert (await join(client, headers, secret + "x")).status_code == 404
        assert [line["path"] for line in logged][-2:] == ["/share-links/join"] * 2
        assert secret not in str(logged)
