"""Making someone a member in a test, as an account becomes one: the owner invites
(`PUT /lists/{id}/members/{name}` answers 202 with the invitation) and the invitee
accepts (`POST /me/invitations/{id}/accept`). Tests about something else than
invitations build their shared lists with `add_member`."""

from __future__ import annotations

import httpx

from tests.conftest import TEST_PASSWORD

Headers = dict[str, str]


async def accept_as(
    client: httpx.AsyncClient, invited: httpx.Response, name: str, member: Headers | None = None
) -> httpx.Response:
    """The invitee `name` accepts the invitation `invited` (a 202), logging in with the
    tests' password unless their headers are given."""
    assert invited.status_code == 202, invited.text
    if member is None:
        login = await client.post("/auth/login", data={"username": name, "password": TEST_PASSWORD})
        assert login.status_code == 200, login.text
        member = {"Authorization": f"Bearer {login.json()['access_token']}"}
    return await client.post(f"/me/invitations/{invited.json()['id']}/accept", headers=member)


async def add_member(
    client: httpx.AsyncClient,
    owner: Headers,
    list_id: str,
    name: str,
    role: str,
    member: Headers | None = None,
) -> httpx.Response:
    """`name` invited with `role` and accepting: the accept's response (200, the list),
    or, for someone who is a member already, the PUT's (200, the new role), or the PUT's
    refusal."""
    put = await client.put(f"/lists/{list_id}/members/{name}", json={"role": role}, headers=owner)
    if put.status_code != 202:
        return put
    return await accept_as(client, put, name, member)
