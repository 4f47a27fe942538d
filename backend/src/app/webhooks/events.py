"""What the webhooks domain records in the event log (`app.live.log`)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field

from app.live.events import event_type


class WebhookDisabled(BaseModel):
    """One of your webhook endpoints was disabled: its receiver refused or missed one
    delivery for a day of retries. Sent to the endpoint's owner alone; the endpoint's
    page says the same until it is enabled again."""

    type: Literal["webhook.disabled"] = event_type("webhook.disabled")
    endpoint_id: uuid.UUID = Field(description="The endpoint (`GET /webhooks/{id}`).")
    url: str = Field(description="Its URL.")
    reason: str = Field(description="What the last attempt got, in words.")
