"""The caller's webhook endpoints: register one (its secret shown once), list, change,
rotate the secret, delete; each one's delivery log, and "send again". Only a logged-in
session may (`SessionCaller`): a personal access token cannot send an account's events
elsewhere."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from app.platform.http.deps import DatabaseDep, SessionCaller, SettingsDep
from app.platform.http.error_responses import error_responses
from app.webhooks import service as webhooks
from app.webhooks.schemas import (
    MAX_DELIVERIES_SHOWN,
    DeliveryPublic,
    WebhookCreate,
    WebhookPublic,
    WebhookUpdate,
    WebhookWithSecret,
)

SESSION_ONLY = {403: "Sent with a personal access token: log in with the password for this."}
NOT_YOURS = {404: "No such endpoint among yours."}

router = APIRouter(
    prefix="/webhooks",
    tags=["webhooks"],
    responses=error_responses(401, 403, 503, meanings=SESSION_ONLY),
)

EndpointId = Annotated[uuid.UUID, Path(description="The endpoint's id (`GET /webhooks`).")]
DeliveryId = Annotated[uuid.UUID, Path(description="The delivery's id (its delivery log).")]


def _no_store(response: Response) -> None:
    response.headers["Cache-Control"] = "no-store"  # a secret: RFC 6749 section 5.1


@router.get("")
async def list_webhooks(caller: SessionCaller, db: DatabaseDep) -> list[WebhookPublic]:
    """Your webhook endpoints, oldest first (never their secrets)."""
    return await webhooks.mine(db, caller)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(
        404,
        409,
        meanings={
            404: "`list_id` is not a list you are a member of.",
            409: "You have as many endpoints as an account may: delete one first.",
        },
    ),
)
async def create_webhook(
    body: WebhookCreate,
    caller: SessionCaller,
    db: DatabaseDep,
    settings: SettingsDep,
    response: Response,
) -> WebhookWithSecret:
    """Register an endpoint: the events of `event_types` in `list_id` (a list you own;
    null for every list you own) are POSTed to `url`, signed as Standard Webhooks
    specifies with the `secret` in this response, which cannot be shown again. Deliveries
    to one endpoint arrive in order, at least once (de-duplicate by `webhook-id`); a
    delivery is retried for a day, after which the endpoint is disabled.

    A URL is refused (422) unless it is `https` and its name resolves only to public
    addresses: never loopback, private, link-local, shared (CGNAT) or cloud metadata
    ones; it is checked again at every delivery, and redirects are never followed."""
    _no_store(response)
    return await webhooks.create(
        db, caller, body, allow_loopback_http=settings.webhooks_allow_http_loopback
    )


@router.get("/{endpoint_id}", responses=error_responses(404, meanings=NOT_YOURS))
async def get_webhook(
    endpoint_id: EndpointId, caller: SessionCaller, db: DatabaseDep
) -> WebhookPublic:
    """One of your endpoints: whether it is enabled, and why not."""
    return await webhooks.get(db, caller, endpoint_id)


@router.patch("/{endpoint_id}", responses=error_responses(404, meanings=NOT_YOURS))
async def update_webhook(
    endpoint_id: EndpointId,
    body: WebhookUpdate,
    caller: SessionCaller,
    db: DatabaseDep,
    settings: SettingsDep,
) -> WebhookPublic:
    """Change an endpoint's URL or event types, or enable (`enabled: true`) or disable it.
    Enabling a disabled endpoint sends its pending deliveries, in order. A new URL is
    checked as at registration (422 if refused)."""
    return await webhooks.update(
        db, caller, endpoint_id, body, allow_loopback_http=settings.webhooks_allow_http_loopback
    )


@router.post("/{endpoint_id}/rotate-secret", responses=error_responses(404, meanings=NOT_YOURS))
async def rotate_webhook_secret(
    endpoint_id: EndpointId, caller: SessionCaller, db: DatabaseDep, response: Response
) -> WebhookWithSecret:
    """A new secret, shown this once. For the next 24 hours each delivery is signed with
    both the new and the previous secret, so the receiver can switch without refusing one."""
    _no_store(response)
    return await webhooks.rotate_secret(db, caller, endpoint_id)


@router.delete(
    "/{endpoint_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(404, meanings=NOT_YOURS),
)
async def delete_webhook(
    endpoint_id: EndpointId, caller: SessionCaller, db: DatabaseDep
) -> Response:
    """Delete an endpoint and its delivery log: nothing more is sent to it."""
    await webhooks.delete(db, caller, endpoint_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{endpoint_id}/deliveries", responses=error_responses(404, meanings=NOT_YOURS))
async def list_deliveries(
    endpoint_id: EndpointId,
    caller: SessionCaller,
    db: DatabaseDep,
    limit: Annotated[
        int,
        Query(ge=1, le=MAX_DELIVERIES_SHOWN, description="How many, newest first (1 to 100)."),
    ] = 50,
) -> list[DeliveryPublic]:
    """The endpoint's delivery log, newest first: each delivery's state, attempts, last
    status and latency, and when it is tried next."""
    return await webhooks.deliveries(db, caller, endpoint_id, limit=limit)


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/send-again",
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(404, meanings={404: "No such endpoint or delivery among yours."}),
)
async def send_again(
    endpoint_id: EndpointId, delivery_id: DeliveryId, caller: SessionCaller, db: DatabaseDep
) -> DeliveryPublic:
    """Queue a delivery's message again, after the endpoint's other deliveries, with the
    same `webhook-id`."""
    return await webhooks.send_again(db, caller, endpoint_id, delivery_id)
