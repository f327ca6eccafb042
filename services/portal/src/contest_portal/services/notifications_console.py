"""What the operator's console reads from and asks of notifications: the delivery log and
the replay of a failed delivery, the webhook subscriptions of regional systems, and the
staff directory of jurors and secretaries. Every call carries the operator's token."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict

from contest_contracts.topics import CATALOGUE, CONTEST_DEFINITIONS, Visibility
from contest_portal.services.calls import get_json, send_json

SERVICE = "notifications"

DELIVERY_STATUSES = ("pending", "delivered", "failed", "opted_out", "cancelled")
"""The states a delivery can be in, as notifications names them (the log's filter)."""

WEBHOOK_EVENT_TYPES = tuple(
    event.event_type
    for topic in CATALOGUE
    # Notifications offers every public topic's events but the definitions' (it reads that
    # topic for its own copies), see its `events/webhooks.py`.
    if topic.visibility == Visibility.PUBLIC and topic is not CONTEST_DEFINITIONS
    for event in topic.events
)
"""The event types a subscription may ask for."""

STAFF_ROLES = ("juror", "secretary")
"""The roles the directory writes to."""


class _Read(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Attempt(_Read):
    """One try at the channel."""

    at: datetime
    error: str | None = None


class Delivery(_Read):
    """A message to one recipient over one channel, with its attempts."""

    key: str
    notification_id: str
    channel: str
    recipient_id: str
    address: str
    template: str
    event_id: str
    status: str
    attempts: list[Attempt] = []
    created_at: datetime
    delivered_at: datetime | None = None

    @property
    def last_error(self) -> str | None:
        """What went wrong at the latest attempt, as notifications recorded it."""
        return self.attempts[-1].error if self.attempts else None

    @property
    def failure(self) -> str | None:
        """What kind of failure the latest attempt's error is, for a sentence on the page:
        ``refused_answer`` (the receiver answered with an error), ``unreachable``,
        ``timeout``, ``opted_out``, ``template`` or ``other``; None without an error."""
        error = self.last_error
        if error is None:
            return None
        if error.startswith("HTTPStatusError") or "SMTPRecipientsRefused" in error:
            return "refused_answer"
        if error.startswith(("ConnectError", "ConnectionRefusedError", "OSError")):
            return "unreachable"
        if "Timeout" in error.split(":")[0]:
            return "timeout"
        if error == "recipient opted out":
            return "opted_out"
        if "template" in error.lower():
            return "template"
        return "other"

    @property
    def answer_status(self) -> str | None:
        """The HTTP status the receiver answered with, when that is what failed."""
        error = self.last_error or ""
        for word in error.replace("'", " ").split():
            if len(word) == 3 and word.isdigit() and word[0] in "45":
                return word
        return None


class Subscription(_Read):
    """A regional system's webhook subscription (notifications never shows its secret)."""

    subscription_id: str
    url: str
    event_types: list[str]
    regions: list[str] | None = None
    created_by: str
    created_at: datetime


class StaffEntry(_Read):
    """A juror or secretary the directory says where to write to."""

    person_id: str
    name: str
    email: str
    language: str
    roles: list[str]
    region_code: str | None = None


async def deliveries(
    client: httpx.AsyncClient, token: str, filters: dict[str, str]
) -> list[Delivery]:
    """The delivery log, newest first, by the filters given (``status``, ``recipient_id``,
    ``notification_id``, ``event_id``; empty ones are no filter)."""
    query = {name: value for name, value in filters.items() if value}
    path = "/deliveries"
    if query:
        path += "?" + str(httpx.QueryParams(query))
    answer = await get_json(client, SERVICE, path, token=token)
    return [Delivery.model_validate(item) for item in answer]


async def replay(client: httpx.AsyncClient, token: str, key: str) -> Delivery:
    """Send a failed delivery again now: `not_failed` (409) unless it failed,
    `unknown_delivery` (404) for no delivery."""
    path = f"/deliveries/{quote(key, safe='/')}/replay"
    answer = await send_json(client, SERVICE, "POST", path, None, token=token)
    return Delivery.model_validate(answer)


async def subscriptions(client: httpx.AsyncClient, token: str) -> list[Subscription]:
    """Every webhook subscription."""
    answer = await get_json(client, SERVICE, "/webhooks", token=token)
    return [Subscription.model_validate(item) for item in answer]


async def subscribe(client: httpx.AsyncClient, token: str, body: dict[str, Any]) -> Subscription:
    """Subscribe a URL (``body`` is notifications' subscription form); its refusals name
    the field in ``Refused.errors``."""
    answer = await send_json(client, SERVICE, "POST", "/webhooks", body, token=token)
    return Subscription.model_validate(answer)


async def unsubscribe(client: httpx.AsyncClient, token: str, subscription_id: str) -> None:
    """Remove a subscription (`unknown_subscription` when there is none)."""
    path = f"/webhooks/{quote(subscription_id, safe='')}"
    await send_json(client, SERVICE, "DELETE", path, None, token=token)


async def staff(client: httpx.AsyncClient, token: str) -> list[StaffEntry]:
    """The whole staff directory, by person id."""
    answer = await get_json(client, SERVICE, "/staff", token=token)
    return [StaffEntry.model_validate(item) for item in answer]


async def keep_staff(
    client: httpx.AsyncClient, token: str, person_id: str, body: dict[str, Any]
) -> None:
    """Record or replace a person's entry; refusals name the field (`region_required` for a
    secretary without a region)."""
    path = f"/staff/{quote(person_id, safe='')}"
    await send_json(client, SERVICE, "PUT", path, body, token=token)


async def remove_staff(client: httpx.AsyncClient, token: str, person_id: str) -> None:
    """Remove a person's entry (`unknown_person` when there is none)."""
    path = f"/staff/{quote(person_id, safe='')}"
    await send_json(client, SERVICE, "DELETE", path, None, token=token)
