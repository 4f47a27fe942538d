"""Lists and sharing end to end on every engine: what each user sees, what a personal
list and the last owner may not do, moves, deletions and account deletion. (Who may do
what is the role matrix: tests/lists/test_list_roles.py.)"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.lists import service as list_service
from tests.conftest import TEST_PASSWORD, MakeUser
from tests.sharing import accept_as, add_member
from tests.sse import open_stream

Headers = dict[str, str]


async def ok(response: httpx.Response) -> Any:
    assert response.is_success, response.text
    return response.json()


async def new_list(client: httpx.AsyncClient, headers: Headers, name: str = "shared") -> str:
    created = await ok(await client.post("/lists", json={"name": name}, headers=headers))
    list_id: str = created["id"]
    return list_id


async def share(
    client: httpx.AsyncClient, headers: Headers, list_id: str, name: str, role: str
) -> httpx.Response:
    return await client.put(
        f"/lists/{list_id}/members/{name}", json={"role": role}, headers=headers
    )


async def personal_list(client: httpx.AsyncClient, headers: Headers) -> dict[str, Any]:
    first: dict[str, Any] = (await ok(await client.get("/lists", headers=headers)))[0]
    assert first["personal"] is True
    return first


class TestPersonalList:
    async def test_every_account_has_one_and_todo_acts_on_it(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        lists = await ok(await client.get("/lists", headers=headers))
        assert [(found["name"], found["role"], found["personal"]) for found in lists] == [
            ("Personal", "owner", True)
        ]
        todo = await ok(await client.post("/todo", json={"title": "a"}, headers=headers))
        assert todo["list_id"] == lists[0]["id"]
        same = await ok(await client.get(f"/lists/{lists[0]['id']}/todos", headers=headers))
        assert [found["id"] for found in same] == [todo["id"]]

    async def test_it_cannot_be_shared_left_or_deleted(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        me, headers = await make_user()
        other, _ = await make_user()
        personal = (await personal_list(client, headers))["id"]
        assert (await share(client, headers, personal, other, "viewer")).status_code == 409
        left = await client.delete(f"/lists/{personal}/members/{me}", headers=headers)
        assert left.status_code == 409
        deleted = await client.delete(f"/lists/{personal}", headers=headers)
        assert deleted.status_code == 409
        assert deleted.json()["detail"] == "A personal list cannot be shared, left or deleted"
        renamed = await client.patch(f"/lists/{personal}", json={"name": "Mine"}, headers=headers)
        assert renamed.json()["name"] == "Mine"

    async def test_nobody_else_can_see_it(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        _, stranger = await make_user()
        personal = (await personal_list(client, headers))["id"]
        for path in (
            f"/lists/{personal}",
            f"/lists/{personal}/todos",
            f"/lists/{personal}/members",
        ):
            missing = await client.get(path, headers=stranger)
            assert missing.status_code == 404
            absent = await client.get(path.replace(personal, str(uuid.uuid4())), headers=stranger)
            assert absent.json() == missing.json(), (
                "indistinguishable from a list that is not there"
            )


class TestLists:
    async def test_create_list_and_order(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        response = await client.post("/lists", json={"name": "groceries"}, headers=headers)
        assert response.status_code == 201
        created = response.json()
        assert response.headers["location"] == f"/lists/{created['id']}"
        assert (created["role"], created["personal"]) == ("owner", False)
        await new_list(client, headers, "Books")
        names = [found["name"] for found in await ok(await client.get("/lists", headers=headers))]
        assert names == ["Personal", "Books", "groceries"], "personal first, then by name"

    @pytest.mark.parametrize("name", ["", "   ", "\u200b", "x" * 101, "a\x00b"])
    async def test_names_need_something_visible(
        self, client: httpx.AsyncClient, make_user: MakeUser, name: str
    ) -> None:
        _, headers = await make_user()
        response = await client.post("/lists", json={"name": name}, headers=headers)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", "name"]

    async def test_deleting_a_list_deletes_its_todos(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        list_id = await new_list(client, headers)
        todo = await ok(
            await client.post(f"/lists/{list_id}/todos", json={"title": "t"}, headers=headers)
        )
        assert (await client.delete(f"/lists/{list_id}", headers=headers)).json() == {}
        assert (await client.get(f"/todo/{todo['id']}", headers=headers)).status_code == 404
        assert (await client.get(f"/lists/{list_id}", headers=headers)).status_code == 404

    async def test_an_account_owns_a_bounded_number_of_lists(
        self, client: httpx.AsyncClient, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(list_service, "MAX_OWNED_LISTS", 3)
        _, headers = await make_user()
        await new_list(client, headers)
        await new_list(client, headers)
        refused = await client.post("/lists", json={"name": "one more"}, headers=headers)
        assert refused.status_code == 409
        assert "at most 3 lists" in refused.json()["detail"]

    async def test_revoked_token_gets_401_not_404(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        list_id = await new_list(client, headers)
        await client.post("/me/logout-all", headers=headers)
        for method, path in (
            ("GET", "/lists"),
            ("GET", f"/lists/{list_id}"),
            ("GET", f"/lists/{list_id}/todos"),
            ("POST", "/lists"),
        ):
            body = {"name": "x"} if method == "POST" else None
            response = await client.request(method, path, json=body, headers=headers)
            assert response.status_code == 401, (method, path)


class TestMembers:
    async def test_share_change_and_list_members(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        owner_name, owner = await make_user()
        viewer_name, viewer = await make_user()
        list_id = await new_list(client, owner)
        invited = await share(client, owner, list_id, viewer_name.upper(), "viewer")
        assert invited.status_code == 202, "names are case-insensitive"
        assert {k: invited.json()[k] for k in ("name", "role")} == {
            "name": viewer_name,
            "role": "viewer",
        }
        # Not a member until they accept.
        assert (await client.get(f"/lists/{list_id}", headers=viewer)).status_code == 404
        accepted = await accept_as(client, invited, viewer_name, viewer)
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["role"] == "viewer"
        again = await share(client, owner, list_id, viewer_name, "viewer")
        assert again.status_code == 200
        assert again.json() == {"name": viewer_name, "role": "viewer"}
        members = await ok(await client.get(f"/lists/{list_id}/members", headers=viewer))
        assert members == [
            {"name": owner_name, "role": "owner"},
            {"name": viewer_name, "role": "viewer"},
        ]
        seen = await ok(await client.get("/lists", headers=viewer))
        assert [(found["id"], found["role"]) for found in seen[1:]] == [(list_id, "viewer")]

    async def test_unknown_account(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, owner = await make_user()
        list_id = await new_list(client, owner)
        response = await share(client, owner, list_id, "nobody-" + uuid.uuid4().hex[:8], "editor")
        assert (response.status_code, response.json()) == (
            404,
            {"detail": "No account has that name"},
        )
        bad_role = await share(client, owner, list_id, "whoever", "admin")
        assert bad_role.status_code == 422

    async def test_the_last_owner_stays(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        owner_name, owner = await make_user()
        other_name, other = await make_user()
        list_id = await new_list(client, owner)
        assert (await share(client, owner, list_id, owner_name, "editor")).status_code == 409
        left = await client.delete(f"/lists/{list_id}/members/{owner_name}", headers=owner)
        assert left.status_code == 409
        await add_member(client, owner, list_id, other_name, "owner")
        left = await client.delete(f"/lists/{list_id}/members/{owner_name}", headers=owner)
        assert left.status_code == 200
        assert (await client.get(f"/lists/{list_id}", headers=owner)).status_code == 404
        assert (await ok(await client.get(f"/lists/{list_id}", headers=other)))["role"] == "owner"

    async def test_the_last_owner_may_leave_and_the_longest_standing_editor_takes_over(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        owner_name, owner = await make_user()
        first_name, first = await make_user()
        second_name, _ = await make_user()
        viewer_name, _ = await make_user()
        list_id = await new_list(client, owner)
        await add_member(client, owner, list_id, viewer_name, "viewer")
        await add_member(client, owner, list_id, first_name, "editor")
        await add_member(client, owner, list_id, second_name, "editor")
        left = await client.delete(f"/lists/{list_id}/members/{owner_name}", headers=owner)
        assert left.status_code == 200, left.text
        members = await ok(await client.get(f"/lists/{list_id}/members", headers=first))
        assert members == [
            {"name": first_name, "role": "owner"},
            {"name": second_name, "role": "editor"},
            {"name": viewer_name, "role": "viewer"},
        ]

    async def test_an_owner_made_so_by_another_always_has_a_way_out(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        a_name, a = await make_user()
        b_name, b = await make_user()
        list_id = await new_list(client, a)
        assert (await add_member(client, a, list_id, b_name, "owner", b)).status_code == 200
        assert (await client.delete(f"/lists/{list_id}/members/{a_name}", headers=a)).is_success
        # B is the last owner with nobody to hand over to: told the two ways out.
        refused = await client.delete(f"/lists/{list_id}/members/{b_name}", headers=b)
        assert refused.status_code == 409
        assert "delete the list" in refused.json()["detail"]
        assert (await client.delete(f"/lists/{list_id}", headers=b)).status_code == 200

    async def test_the_owned_lists_cap_holds_for_the_account_made_owner(
        self, client: httpx.AsyncClient, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(list_service, "MAX_OWNED_LISTS", 3)
        _, a = await make_user()
        b_name, b = await make_user()
        owned_by_b = [await new_list(client, b), await new_list(client, b)]  # + personal: 3
        offered = await new_list(client, a)
        # The cap is checked when B would become an owner: on accepting.
        refused = await add_member(client, a, offered, b_name, "owner", b)
        assert refused.status_code == 409
        assert "already owns 3 lists" in refused.json()["detail"]
        assert (await add_member(client, a, offered, b_name, "editor", b)).status_code == 200
        assert (await share(client, a, offered, b_name, "owner")).status_code == 409
        # The workaround found in the attack: A, at the cap, hands lists to B and steps
        # down to create more. B may not end up owning more than the cap.
        assert (await client.delete(f"/lists/{owned_by_b[0]}", headers=b)).status_code == 200
        assert (await share(client, a, offered, b_name, "owner")).status_code == 200
        created = await client.post("/lists", json={"name": "one more"}, headers=b)
        assert created.status_code == 409
        lists = await ok(await client.get("/lists", headers=b))
        assert sum(found["role"] == "owner" for found in lists) == 3

    async def test_the_last_owner_leaving_skips_an_editor_at_the_cap(
        self, client: httpx.AsyncClient, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(list_service, "MAX_OWNED_LISTS", 2)
        owner_name, owner = await make_user()
        editor_name, editor = await make_user()
        await new_list(client, editor)  # + personal: the editor is at the cap
        list_id = await new_list(client, owner)
        await add_member(client, owner, list_id, editor_name, "editor")
        refused = await client.delete(f"/lists/{list_id}/members/{owner_name}", headers=owner)
        assert refused.status_code == 409
        members = await ok(await client.get(f"/lists/{list_id}/members", headers=editor))
        assert {m["name"]: m["role"] for m in members} == {
            owner_name: "owner",
            editor_name: "editor",
        }

    async def test_removal_and_demotion_apply_to_the_next_request(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        member_name, member = await make_user()
        list_id = await new_list(client, owner)
        await add_member(client, owner, list_id, member_name, "editor")
        todo = await ok(
            await client.post(f"/lists/{list_id}/todos", json={"title": "t"}, headers=member)
        )
        await add_member(client, owner, list_id, member_name, "viewer")
        refused = await client.patch(f"/todo/{todo['id']}", json={"title": "x"}, headers=member)
        assert refused.status_code == 403
        assert (
            refused.json()["detail"]
            == "This needs the editor role in the todo's list; you are a viewer"
        )
        assert (await client.get(f"/todo/{todo['id']}", headers=member)).status_code == 200
        await client.delete(f"/lists/{list_id}/members/{member_name}", headers=owner)
        assert (await client.get(f"/todo/{todo['id']}", headers=member)).status_code == 404
        lists = await ok(await client.get("/lists", headers=member))
        assert [found["id"] for found in lists if not found["personal"]] == []

    async def test_a_list_has_a_bounded_number_of_members(
        self, client: httpx.AsyncClient, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(list_service, "MAX_MEMBERS", 2)
        _, owner = await make_user()
        first, _ = await make_user()
        second, _ = await make_user()
        list_id = await new_list(client, owner)
        assert (await add_member(client, owner, list_id, first, "viewer")).status_code == 200
        # The invitation goes out; accepting it would pass the cap.
        refused = await add_member(client, owner, list_id, second, "viewer")
        assert refused.status_code == 409
        assert "at most 2 members" in refused.json()["detail"]
        assert (await share(client, owner, list_id, first, "editor")).status_code == 200


class TestMoves:
    async def test_move_between_lists(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, headers = await make_user()
        target = await new_list(client, headers)
        todo = await ok(await client.post("/todo", json={"title": "t"}, headers=headers))
        moved = await ok(
            await client.patch(f"/todo/{todo['id']}", json={"list_id": target}, headers=headers)
        )
        assert (moved["list_id"], moved["version"]) == (target, 1)
        assert await ok(await client.get("/todo", headers=headers)) == []
        in_target = await ok(await client.get(f"/lists/{target}/todos", headers=headers))
        assert [found["id"] for found in in_target] == [todo["id"]]

    async def test_move_needs_editor_on_the_target(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        viewer_name, viewer = await make_user()
        watched = await new_list(client, owner)
        await add_member(client, owner, watched, viewer_name, "viewer")
        todo = await ok(await client.post("/todo", json={"title": "t"}, headers=viewer))
        into_watched = await client.patch(
            f"/todo/{todo['id']}", json={"list_id": watched}, headers=viewer
        )
        assert (into_watched.status_code, into_watched.json()) == (
            403,
            {"detail": "This needs the editor role in the list it moves to; you are a viewer"},
        )
        into_unknown = await client.patch(
            f"/todo/{todo['id']}", json={"list_id": str(uuid.uuid4())}, headers=viewer
        )
        assert (into_unknown.status_code, into_unknown.json()) == (
            404,
            {"detail": "List not found"},
        )
        assert (await ok(await client.get(f"/todo/{todo['id']}", headers=viewer)))["version"] == 0

    async def test_stale_move_is_a_412(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        target = await new_list(client, headers)
        todo = await ok(await client.post("/todo", json={"title": "t"}, headers=headers))
        await client.patch(f"/todo/{todo['id']}", json={"title": "u"}, headers=headers)
        stale = await client.patch(
            f"/todo/{todo['id']}",
            json={"list_id": target},
            headers={**headers, "If-Match": '"0"'},
        )
        assert stale.status_code == 412


class TestIdempotency:
    async def test_a_key_names_one_list_and_body(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        list_id = await new_list(client, headers)
        keyed = {**headers, "Idempotency-Key": "k-1"}
        first = await ok(
            await client.post(f"/lists/{list_id}/todos", json={"title": "t"}, headers=keyed)
        )
        replay = await ok(
            await client.post(f"/lists/{list_id}/todos", json={"title": "t"}, headers=keyed)
        )
        assert replay == first
        elsewhere = await client.post("/todo", json={"title": "t"}, headers=keyed)
        assert elsewhere.status_code == 422

    async def test_a_replay_follows_the_lists_access_now(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        member_name, member = await make_user()
        list_id = await new_list(client, owner)
        await add_member(client, owner, list_id, member_name, "editor")
        keyed = {**member, "Idempotency-Key": "k-removed"}
        created = await client.post(f"/lists/{list_id}/todos", json={"title": "t"}, headers=keyed)
        assert created.status_code == 201
        await client.delete(f"/lists/{list_id}/members/{member_name}", headers=owner)
        replay = await client.post(f"/lists/{list_id}/todos", json={"title": "t"}, headers=keyed)
        assert (replay.status_code, replay.json()) == (404, {"detail": "List not found"})


class TestAccountDeletion:
    async def delete_account(self, client: httpx.AsyncClient, headers: Headers) -> None:
        response = await client.request(
            "DELETE", "/me", json={"password": TEST_PASSWORD}, headers=headers
        )
        assert response.status_code == 204, response.text

    async def test_the_longest_standing_editor_takes_over(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        first_name, first = await make_user()
        second_name, second = await make_user()
        viewer_name, _ = await make_user()
        list_id = await new_list(client, owner)
        await add_member(client, owner, list_id, viewer_name, "viewer")
        await add_member(client, owner, list_id, first_name, "editor")
        await add_member(client, owner, list_id, second_name, "editor")
        todo = await ok(
            await client.post(f"/lists/{list_id}/todos", json={"title": "t"}, headers=owner)
        )

        await self.delete_account(client, owner)

        members = await ok(await client.get(f"/lists/{list_id}/members", headers=first))
        assert members == [
            {"name": first_name, "role": "owner"},
            {"name": second_name, "role": "editor"},
            {"name": viewer_name, "role": "viewer"},
        ]
        assert (await client.get(f"/todo/{todo['id']}", headers=second)).status_code == 200

    async def test_the_successor_is_named_in_the_event_that_tells_of_it(
        self, app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        # Another list's editor first: the name was once the longest-standing editor's
        # of any list (a subquery that lost its correlation).
        _, elsewhere = await make_user()
        other_editor, _ = await make_user()
        await add_member(
            client, elsewhere, await new_list(client, elsewhere), other_editor, "editor"
        )
        _, owner = await make_user()
        editor_name, editor = await make_user()
        list_id = await new_list(client, owner)
        await add_member(client, owner, list_id, editor_name, "editor")
        async with open_stream(app, editor) as stream:
            assert (await stream.next()).type == "ready"
            await self.delete_account(client, owner)
            promoted = (await stream.until("member.updated"))[-1]
        assert promoted.data == {
            "type": "member.updated",
            "list_id": list_id,
            "name": editor_name,
            "role": "owner",
        }

    async def test_a_list_with_no_editor_goes(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        viewer_name, viewer = await make_user()
        list_id = await new_list(client, owner)
        await add_member(client, owner, list_id, viewer_name, "viewer")
        todo = await ok(
            await client.post(f"/lists/{list_id}/todos", json={"title": "t"}, headers=owner)
        )

        await self.delete_account(client, owner)

        assert (await client.get(f"/lists/{list_id}", headers=viewer)).status_code == 404
        assert (await client.get(f"/todo/{todo['id']}", headers=viewer)).status_code == 404

    async def test_its_todos_in_other_lists_stay(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        editor_name, editor = await make_user()
        list_id = await new_list(client, owner)
        await add_member(client, owner, list_id, editor_name, "editor")
        todo = await ok(
            await client.post(f"/lists/{list_id}/todos", json={"title": "t"}, headers=editor)
        )

        await self.delete_account(client, editor)

        assert (await client.get(f"/todo/{todo['id']}", headers=owner)).status_code == 200
        members = await ok(await client.get(f"/lists/{list_id}/members", headers=owner))
        assert [member["role"] for member in members] == ["owner"]
