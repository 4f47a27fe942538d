"""Invitations, the inbox and blocks (issue 32), on every engine: the whole flow, who may
do what with an invitation, what the live stream carries to whom, the limits, and the
attacks the issue lists (each a test: accepting someone else's or a closed invitation,
accept and cancel at once, a flood, a blocked inviter)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.invitations import service as invitations
from tests.conftest import MakeUser
from tests.lists.test_lists import new_list, ok, personal_list
from tests.sharing import accept_as
from tests.sse import open_stream

Headers = dict[str, str]


async def invite(
    client: httpx.AsyncClient, owner: Headers, list_id: str, name: str, role: str = "viewer"
) -> httpx.Response:
    return await client.put(f"/lists/{list_id}/members/{name}", json={"role": role}, headers=owner)


async def inbox(client: httpx.AsyncClient, headers: Headers) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await ok(await client.get("/me/invitations", headers=headers))
    return found


async def members(client: httpx.AsyncClient, owner: Headers, list_id: str) -> dict[str, str]:
    found = await ok(await client.get(f"/lists/{list_id}/members", headers=owner))
    return {m["name"]: m["role"] for m in found}


class TestInvitations:
    async def test_invite_see_accept(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        owner_name, owner = await make_user()
        name, headers = await make_user()
        list_id = await new_list(client, owner, "Groceries")
        invited = await invite(client, owner, list_id, name.upper(), "editor")
        assert invited.status_code == 202, invited.text
        invitation = invited.json()
        assert {
            k: invitation[k] for k in ("list_id", "list_name", "name", "role", "invited_by")
        } == {
            "list_id": list_id,
            "list_name": "Groceries",
            "name": name,
            "role": "editor",
            "invited_by": owner_name,
        }
        assert invitation["expires_at"] > invitation["created_at"]
        # Pending: in the inbox and the owners' list, and not a member yet.
        assert await inbox(client, headers) == [invitation]
        pending = await ok(await client.get(f"/lists/{list_id}/invitations", headers=owner))
        assert pending == [invitation]
        assert (await client.get(f"/lists/{list_id}", headers=headers)).status_code == 404
        assert await members(client, owner, list_id) == {owner_name: "owner"}

        accepted = await client.post(f"/me/invitations/{invitation['id']}/accept", headers=headers)
        assert accepted.status_code == 200, accepted.text
        assert (accepted.json()["id"], accepted.json()["role"]) == (list_id, "editor")
        assert await members(client, owner, list_id) == {owner_name: "owner", name: "editor"}
        assert await inbox(client, headers) == []
        assert await ok(await client.get(f"/lists/{list_id}/invitations", headers=owner)) == []
        # A member's role changes at once: 200, no invitation.
        changed = await invite(client, owner, list_id, name, "viewer")
        assert (changed.status_code, changed.json()) == (200, {"name": name, "role": "viewer"})

    async def test_decline_and_invite_again(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        name, headers = await make_user()
        list_id = await new_list(client, owner)
        first = (await invite(client, owner, list_id, name)).json()
        declined = await client.post(f"/me/invitations/{first['id']}/decline", headers=headers)
        assert (declined.status_code, declined.json()) == (200, {})
        assert await inbox(client, headers) == []
        again = await client.post(f"/me/invitations/{first['id']}/accept", headers=headers)
        assert (again.status_code, again.json()) == (
            409,
            {"detail": "This invitation is no longer open: it was declined"},
        )
        second = (await invite(client, owner, list_id, name, "editor")).json()
        assert second["id"] != first["id"]
        assert [found["id"] for found in await inbox(client, headers)] == [second["id"]]
        # Inviting again replaces an open invitation: one per list and account.
        third = (await invite(client, owner, list_id, name, "viewer")).json()
        assert [found["id"] for found in await inbox(client, headers)] == [third["id"]]
        stale = await client.post(f"/me/invitations/{second['id']}/accept", headers=headers)
        assert stale.status_code == 404

    async def test_owners_change_and_cancel(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        name, headers = await make_user()
        list_id = await new_list(client, owner)
        invitation = (await invite(client, owner, list_id, name)).json()
        path = f"/lists/{list_id}/invitations/{invitation['id']}"
        changed = await ok(await client.patch(path, json={"role": "editor"}, headers=owner))
        assert changed["role"] == "editor"
        assert [found["role"] for found in await inbox(client, headers)] == ["editor"]
        assert (await ok(await client.delete(path, headers=owner))) == {}
        assert await inbox(client, headers) == []
        cancelled = await client.post(f"/me/invitations/{invitation['id']}/accept", headers=headers)
        assert cancelled.status_code == 409
        assert cancelled.json()["detail"].endswith("it was cancelled")
        assert (await client.delete(path, headers=owner)).status_code == 409
        assert (await client.patch(path, json={"role": "viewer"}, headers=owner)).status_code == 409
        # An invitation of another list is not found through this one.
        other = await new_list(client, owner)
        elsewhere = await client.delete(
            f"/lists/{other}/invitations/{invitation['id']}", headers=owner
        )
        assert elsewhere.status_code == 404

    async def test_an_expired_invitation_cannot_be_accepted(
        self, client: httpx.AsyncClient, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        _, owner = await make_user()
        name, headers = await make_user()
        list_id = await new_list(client, owner)
        monkeypatch.setattr(invitations, "INVITATION_TTL", timedelta(seconds=-1))
        invitation = (await invite(client, owner, list_id, name)).json()
        assert await inbox(client, headers) == []
        assert await ok(await client.get(f"/lists/{list_id}/invitations", headers=owner)) == []
        expired = await client.post(f"/me/invitations/{invitation['id']}/accept", headers=headers)
        assert (expired.status_code, expired.json()["detail"]) == (
            409,
            "This invitation is no longer open: it expired",
        )

    async def test_the_personal_list_cannot_be_shared(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        name, headers = await make_user()
        personal = (await personal_list(client, owner))["id"]
        assert (await invite(client, owner, personal, name)).status_code == 409
        assert await inbox(client, headers) == []

    async def test_an_inviter_who_is_no_longer_owner_voids_the_invitation(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        first_name, first = await make_user()
        second_name, second = await make_user()
        name, headers = await make_user()
        list_id = await new_list(client, first)
        await accept_as(
            client, await invite(client, first, list_id, second_name, "owner"), second_name, second
        )
        invitation = (await invite(client, second, list_id, name)).json()
        demoted = await invite(client, first, list_id, second_name, "editor")
        assert demoted.status_code == 200
        refused = await client.post(f"/me/invitations/{invitation['id']}/accept", headers=headers)
        assert refused.status_code == 409
        assert "no longer owns the list" in refused.json()["detail"]
        assert first_name in await members(client, first, list_id)

    async def test_a_token_for_chosen_lists_cannot_accept(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        name, headers = await make_user()
        list_id = await new_list(client, owner)
        invitation = (await invite(client, owner, list_id, name)).json()
        body = {"name": "reader", "access": "read", "expires_in_days": 1}
        token = await ok(await client.post("/me/tokens", json=body, headers=headers))
        reader = {"Authorization": f"Bearer {token['secret']}"}
        refused = await client.post(f"/me/invitations/{invitation['id']}/accept", headers=reader)
        assert refused.status_code == 403
        assert len(await inbox(client, reader)) == 1  # reading the inbox is fine


class TestWhoMay:
    """Each operation on one invitation, by each actor: the invitee, the inviting owner,
    another member, a stranger, and the invitee after blocking the inviter."""

    async def test_only_the_invitee_answers_and_only_owners_manage(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        viewer_name, viewer = await make_user()
        _, stranger = await make_user()
        name, invitee = await make_user()
        list_id = await new_list(client, owner)
        await accept_as(
            client, await invite(client, owner, list_id, viewer_name), viewer_name, viewer
        )
        invitation = (await invite(client, owner, list_id, name)).json()
        manage = f"/lists/{list_id}/invitations/{invitation['id']}"
        answer = f"/me/invitations/{invitation['id']}"
        observed = {}
        for actor, headers in (("owner", owner), ("viewer", viewer), ("stranger", stranger)):
            observed[actor] = (
                (await client.post(f"{answer}/accept", headers=headers)).status_code,
                (await client.post(f"{answer}/decline", headers=headers)).status_code,
                (await client.get(f"/lists/{list_id}/invitations", headers=headers)).status_code,
                (await client.patch(manage, json={"role": "editor"}, headers=headers)).status_code,
            )
        assert observed == {
            "owner": (404, 404, 200, 200),
            "viewer": (404, 404, 403, 403),
            "stranger": (404, 404, 404, 404),
        }
        assert (await client.post(f"{answer}/accept", headers=invitee)).status_code == 200


class TestBlocks:
    async def test_a_blocked_inviter_never_reaches_the_inbox_nor_the_stream(
        self, app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        blocked_name, blocked = await make_user()
        name, headers = await make_user()
        earlier = await new_list(client, blocked, "Earlier")
        before = (await invite(client, blocked, earlier, name)).json()
        assert len(await inbox(client, headers)) == 1
        assert (await client.put(f"/me/blocks/{blocked_name}", headers=headers)).status_code == 204
        assert (await client.put(f"/me/blocks/{blocked_name}", headers=headers)).status_code == 204
        blocks = await ok(await client.get("/me/blocks", headers=headers))
        assert [found["name"] for found in blocks] == [blocked_name]
        assert await inbox(client, headers) == []  # the open one is hidden too

        list_id = await new_list(client, blocked, "Spam")
        async with open_stream(app, headers) as stream:
            assert (await stream.next()).type == "ready"
            sent = await invite(client, blocked, list_id, name)
            # The inviter is not told: the same 202, the invitation pending to them.
            assert sent.status_code == 202, sent.text
            pending = await ok(await client.get(f"/lists/{list_id}/invitations", headers=blocked))
            assert [found["id"] for found in pending] == [sent.json()["id"]]
            await client.post("/todo", json={"title": "sentinel"}, headers=headers)
            received = await stream.until("todo.created")
        assert [m.type for m in received] == ["todo.created"]
        assert await inbox(client, headers) == []
        for invitation in (before, sent.json()):  # known ids do not help
            guessed = await client.post(
                f"/me/invitations/{invitation['id']}/accept", headers=headers
            )
            assert guessed.status_code == 404
        # Unblocked: later invitations arrive again; those sent meanwhile stay hidden.
        assert (
            await client.delete(f"/me/blocks/{blocked_name}", headers=headers)
        ).status_code == 204
        assert await inbox(client, headers) == []
        later = await new_list(client, blocked, "Later")
        assert (await invite(client, blocked, later, name)).status_code == 202
        assert [found["list_id"] for found in await inbox(client, headers)] == [later]

    async def test_block_names(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        name, headers = await make_user()
        assert (await client.put(f"/me/blocks/{name}", headers=headers)).status_code == 409
        assert (await client.put("/me/blocks/nobody-xyz-123", headers=headers)).status_code == 404
        assert (
            await client.delete("/me/blocks/nobody-xyz-123", headers=headers)
        ).status_code == 404
        assert await ok(await client.get("/me/blocks", headers=headers)) == []


class TestLiveEvents:
    async def test_the_invitee_and_the_owners_only(
        self, app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        viewer_name, viewer = await make_user()
        name, headers = await make_user()
        list_id = await new_list(client, owner)
        await accept_as(
            client, await invite(client, owner, list_id, viewer_name), viewer_name, viewer
        )
        async with (
            open_stream(app, owner) as owners,
            open_stream(app, viewer) as viewers,
            open_stream(app, headers) as invitees,
        ):
            for stream in (owners, viewers, invitees):
                assert (await stream.next()).type == "ready"
            invitation = (await invite(client, owner, list_id, name)).json()
            sent = await invitees.next()
            assert sent.data == {"type": "invitation.sent", "invitation": invitation}
            assert (await owners.next()).data == sent.data
            declined = await client.post(
                f"/me/invitations/{invitation['id']}/decline", headers=headers
            )
            assert declined.status_code == 200
            for stream in (owners, invitees):
                closed = await stream.next()
                assert closed.data == {
                    "type": "invitation.closed",
                    "invitation": invitation,
                    "outcome": "declined",
                }
            await client.post(f"/lists/{list_id}/todos", json={"title": "t"}, headers=owner)
            # The list's other members saw none of it.
            assert [m.type for m in await viewers.until("todo.created")] == ["todo.created"]


class TestAttacks:
    async def test_accept_and_cancel_at_once_have_one_outcome(
        self, client: httpx.AsyncClient, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """50 times: the invitee accepts while an owner cancels. Exactly one succeeds,
        the other is a 409, and the membership matches the winner."""
        monkeypatch.setattr(invitations, "MAX_SENT_PER_HOUR", 10_000)
        owner_name, owner = await make_user()
        name, headers = await make_user()
        list_id = await new_list(client, owner)
        outcomes: Counter[str] = Counter()
        for _ in range(50):
            invitation = (await invite(client, owner, list_id, name)).json()
            accepted, cancelled = await asyncio.gather(
                client.post(f"/me/invitations/{invitation['id']}/accept", headers=headers),
                client.delete(f"/lists/{list_id}/invitations/{invitation['id']}", headers=owner),
            )
            statuses = (accepted.status_code, cancelled.status_code)
            assert statuses in ((200, 409), (409, 200)), (statuses, accepted.text, cancelled.text)
            member = name in await members(client, owner, list_id)
            assert member == (accepted.status_code == 200)
            outcomes["accepted" if member else "cancelled"] += 1
            if member:
                await client.delete(f"/lists/{list_id}/members/{name}", headers=owner)
        print(f"accept vs cancel, 50 rounds: {dict(outcomes)}")
        assert await members(client, owner, list_id) == {owner_name: "owner"}

    async def test_fifty_accepts_at_once_make_one_membership(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        name, headers = await make_user()
        list_id = await new_list(client, owner)
        invitation = (await invite(client, owner, list_id, name)).json()
        responses = await asyncio.gather(
            *(
                client.post(f"/me/invitations/{invitation['id']}/accept", headers=headers)
                for _ in range(50)
            )
        )
        statuses = Counter(response.status_code for response in responses)
        assert statuses == {200: 1, 409: 49}, statuses
        assert (await members(client, owner, list_id))[name] == "viewer"

    async def test_a_flood_from_one_account_stops_at_the_hourly_limit(
        self, client: httpx.AsyncClient, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """50 invitations sent at once, to 50 accounts: exactly the hourly limit go out,
        the rest are 429s that say why and when to retry."""
        monkeypatch.setattr(invitations, "MAX_PENDING_PER_LIST", 1_000)
        _, owner = await make_user()
        names = [(await make_user())[0] for _ in range(50)]
        list_id = await new_list(client, owner)
        responses = await asyncio.gather(*(invite(client, owner, list_id, name) for name in names))
        statuses = Counter(response.status_code for response in responses)
        print(f"flood of 50 from one account: {dict(statuses)}")
        assert statuses == {
            202: invitations.MAX_SENT_PER_HOUR,
            429: 50 - invitations.MAX_SENT_PER_HOUR,
        }
        refused = next(response for response in responses if response.status_code == 429)
        assert "invitations in the last hour" in refused.json()["detail"]
        assert 0 < int(refused.headers["Retry-After"]) <= 3600
        pending = await ok(await client.get(f"/lists/{list_id}/invitations", headers=owner))
        assert len(pending) == invitations.MAX_SENT_PER_HOUR

    async def test_a_list_holds_a_bounded_number_of_open_invitations(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        names = [(await make_user())[0] for _ in range(invitations.MAX_PENDING_PER_LIST + 5)]
        list_id = await new_list(client, owner)
        responses = await asyncio.gather(*(invite(client, owner, list_id, name) for name in names))
        statuses = Counter(response.status_code for response in responses)
        assert statuses == {202: invitations.MAX_PENDING_PER_LIST, 409: 5}, statuses
        refused = next(response for response in responses if response.status_code == 409)
        assert "open invitations, the most a list may" in refused.json()["detail"]
