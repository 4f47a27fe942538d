"""The role matrix: every list and todo operation (invitations and share links
included), tried by a non-member, a viewer, an editor and an owner of a shared list,
each against a list of their own making.

The same table runs on fake DAOs (tests/unit/test_list_roles.py) and on every engine
(tests/lists/test_list_roles.py): `observe` builds the world through the API, so the two
prove the same rules. A non-member gets 404 (as if the list did not exist), a member
whose role does not allow the operation 403.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from app.access import Role
from tests.sharing import add_member

Headers = dict[str, str]
MakeUser = Callable[[], Awaitable[tuple[str, Headers]]]

ACTORS = ("outsider", "viewer", "editor", "owner")
SUCCESS = {"GET": 200, "POST": 201, "PUT": 200, "PATCH": 200, "DELETE": 200}


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    path: str  # formatted with the ids `World` holds
    needs: Role | None = None  # the least role that may; None: `expected` says it all
    body: dict[str, Any] | None = None
    expected: dict[str, int] = field(default_factory=dict)

    def expect(self, actor: str) -> int:
        if self.expected:
            return self.expected[actor]
        assert self.needs is not None
        if actor == "outsider":
            return 404
        held = Role(actor)
        order = list(Role)
        return SUCCESS[self.method] if order.index(held) >= order.index(self.needs) else 403


OPERATIONS = (
    Operation("read list", "GET", "/lists/{list}", Role.viewer),
    Operation("rename list", "PATCH", "/lists/{list}", Role.owner, {"name": "renamed"}),
    Operation("delete list", "DELETE", "/lists/{list}", Role.owner),
    Operation("list todos", "GET", "/lists/{list}/todos", Role.viewer),
    Operation("todo stats", "GET", "/lists/{list}/todos/stats", Role.viewer),
    Operation("add todo", "POST", "/lists/{list}/todos", Role.editor, {"title": "new"}),
    Operation("clear completed", "DELETE", "/lists/{list}/todos?completed=true", Role.editor),
    Operation("list members", "GET", "/lists/{list}/members", Role.viewer),
    Operation(
        "change a role", "PUT", "/lists/{list}/members/{bystander}", Role.owner, {"role": "editor"}
    ),
    Operation("remove a member", "DELETE", "/lists/{list}/members/{bystander}", Role.owner),
    # Invitations (issue 32): a newcomer is invited (202), not added.
    Operation(
        "invite a newcomer",
        "PUT",
        "/lists/{list}/members/{newcomer}",
        body={"role": "viewer"},
        expected={"outsider": 404, "viewer": 403, "editor": 403, "owner": 202},
    ),
    Operation("list invitations", "GET", "/lists/{list}/invitations", Role.owner),
    Operation(
        "change an invitation",
        "PATCH",
        "/lists/{list}/invitations/{invitation}",
        Role.owner,
        {"role": "editor"},
    ),
    Operation(
        "cancel an invitation", "DELETE", "/lists/{list}/invitations/{invitation}", Role.owner
    ),
    # Someone else's invitation is no one's but the invitee's, whatever the role.
    Operation(
        "accept another's invitation",
        "POST",
        "/me/invitations/{invitation}/accept",
        expected=dict.fromkeys(("outsider", "viewer", "editor", "owner"), 404),
    ),
    Operation(
        "decline another's invitation",
        "POST",
        "/me/invitations/{invitation}/decline",
        expected=dict.fromkeys(("outsider", "viewer", "editor", "owner"), 404),
    ),
    # Share links (issue 32): owners manage them; anyone signed in joins through one
    # (a member already: 200, nothing changes).
    Operation("list share links", "GET", "/lists/{list}/share-links", Role.owner),
    Operation(
        "create a share link",
        "POST",
        "/lists/{list}/share-links",
        Role.owner,
        {"role": "viewer", "max_uses": 3},
    ),
    Operation("revoke a share link", "DELETE", "/lists/{list}/share-links/{link}", Role.owner),
    Operation(
        "join through a share link",
        "POST",
        "/share-links/join",
        body={"secret": "{secret}"},
        expected=dict.fromkeys(("outsider", "viewer", "editor", "owner"), 200),
    ),
    Operation(
        "leave",
        "DELETE",
        "/lists/{list}/members/{self}",
        # Anyone may leave; the last owner hands the list to its editor (issue 27).
        expected={"outsider": 404, "viewer": 200, "editor": 200, "owner": 200},
    ),
    Operation("read todo", "GET", "/todo/{todo}", Role.viewer),
    Operation("replace todo", "PUT", "/todo/{todo}", Role.editor, {"title": "changed"}),
    Operation("complete todo", "PATCH", "/todo/{todo}", Role.editor, {"completed": False}),
    Operation("delete todo", "DELETE", "/todo/{todo}", Role.editor),
    Operation("move todo out", "PATCH", "/todo/{todo}", Role.editor, {"list_id": "{personal}"}),
    Operation("move todo in", "PATCH", "/todo/{own_todo}", Role.editor, {"list_id": "{list}"}),
    Operation("reorder todo", "PATCH", "/todo/{todo}", Role.editor, {"after": "{second}"}),
    Operation("reorder todo to the end", "PATCH", "/todo/{todo}", Role.editor, {"before": None}),
    Operation(
        "register a webhook for the list",
        "POST",
        "/webhooks",
        Role.owner,
        # A public address written as one: no name to resolve, so no network needed.
        {"url": "https://93.184.215.14/hook", "list_id": "{list}", "event_types": ["todo.created"]},
    ),
    Operation(
        "add todo with a due date",
        "POST",
        "/lists/{list}/todos",
        Role.editor,
        {"title": "new", "due_date": "2026-12-24", "due_zone": "Europe/Paris"},
    ),
    Operation(
        "set a due date",
        "PATCH",
        "/todo/{todo}",
        Role.editor,
        {"due_date": "2026-12-24", "due_time": "18:00", "due_zone": "Europe/Paris"},
    ),
    Operation("clear the due date", "PATCH", "/todo/{todo}", Role.editor, {"due_date": None}),
    # Search spans every list the caller can see, so no one is refused: an outsider
    # simply finds nothing there (which todos each finds: tests/todos/test_search.py).
    Operation(
        "search todos",
        "GET",
        "/todo/search?q=second",
        expected=dict.fromkeys(("outsider", "viewer", "editor", "owner"), 200),
    ),
)


@dataclass
class Users:
    names: dict[str, str]
    headers: dict[str, Headers]

    @classmethod
    async def make(cls, make_user: MakeUser) -> Users:
        names, headers = {}, {}
        for who in (*ACTORS, "bystander", "invitee", "newcomer"):
            names[who], headers[who] = await make_user()
        return cls(names, headers)


async def _ok(response: Awaitable[httpx.Response]) -> dict[str, Any]:
    done = await response
    assert done.is_success, done.text
    body: dict[str, Any] = done.json()
    return body


async def world_for(client: httpx.AsyncClient, users: Users, actor: str) -> dict[str, str]:
    """A fresh shared list (owner, viewer, editor, and a bystander viewer, each of whom
    accepted an invitation) with an open invitation to the invitee, a completed todo and
    an open one after it, plus the actor's personal list and a todo in it."""
    owner = users.headers["owner"]
    shared = await _ok(client.post("/lists", json={"name": "shared"}, headers=owner))
    for who, role in (("viewer", "viewer"), ("editor", "editor"), ("bystander", "viewer")):
        added = await add_member(
            client, owner, shared["id"], users.names[who], role, users.headers[who]
        )
        assert added.is_success, added.text
    path = f"/lists/{shared['id']}/members/{users.names['invitee']}"
    invitation = await _ok(client.put(path, json={"role": "viewer"}, headers=owner))
    link = await _ok(
        client.post(f"/lists/{shared['id']}/share-links", json={"role": "viewer"}, headers=owner)
    )
    todo = await _ok(
        client.post(
            f"/lists/{shared['id']}/todos", json={"title": "t", "completed": True}, headers=owner
        )
    )
    second = await _ok(
        client.post(f"/lists/{shared['id']}/todos", json={"title": "second"}, headers=owner)
    )
    mine = users.headers[actor]
    personal = (await client.get("/lists", headers=mine)).json()[0]
    own_todo = await _ok(client.post("/todo", json={"title": "mine"}, headers=mine))
    return {
        "list": shared["id"],
        "todo": todo["id"],
        "second": second["id"],
        "personal": personal["id"],
        "own_todo": own_todo["id"],
        "bystander": users.names["bystander"],
        "newcomer": users.names["newcomer"],
        "invitation": invitation["id"],
        "link": link["id"],
        "secret": link["secret"],
        "self": users.names[actor],
    }


async def observe(client: httpx.AsyncClient, users: Users, operation: Operation) -> dict[str, int]:
    """The status each actor gets for the operation, each on a world of its own."""
    observed = {}
    for actor in ACTORS:
        ids = await world_for(client, users, actor)
        body = None
        if operation.body is not None:
            body = {
                key: value.format(**ids) if isinstance(value, str) else value
                for key, value in operation.body.items()
            }
        response = await client.request(
            operation.method,
            operation.path.format(**ids),
            json=body,
            headers=users.headers[actor],
        )
        observed[actor] = response.status_code
    return observed


def expected(operation: Operation) -> dict[str, int]:
    return {actor: operation.expect(actor) for actor in ACTORS}
