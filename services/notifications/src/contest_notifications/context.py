"""What the notifications service's routes and handlers work with (built in ``app``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Protocol

from fastapi import Depends, Request

from contest_contracts.events.notifications import Channel
from contest_notifications.channels.webhook import WebhookPoster
from contest_notifications.domain.templates import Message, Templates
from contest_notifications.settings import NotificationsSettings
from contest_notifications.store.applicants import Applicants
from contest_notifications.store.deliveries import Deliveries
from contest_notifications.store.opt_outs import OptOuts
from contest_notifications.store.staff import StaffDirectory
from contest_notifications.store.subscriptions import Subscriptions
from contest_runtime.consumers import DeadLetters
from contest_runtime.definitions import ContestDefinitionCopies
from contest_runtime.kafka import EventPublisher
from contest_runtime.mongo import stored_now

if TYPE_CHECKING:  # dispatch works with this context: a real import would be a cycle
    from contest_notifications.dispatch import Senders


class Outlet(Protocol):
    """A channel's sender."""

    async def send(self, address: str, message: Message, delivery_key: str) -> None:
        """Hand one message over; raise when it is not accepted."""


@dataclass
class NotificationsContext:
    """Notifications' settings, stores, templates, channels and publisher."""

    settings: NotificationsSettings
    contests: ContestDefinitionCopies
    deliveries: Deliveries
    applicants: Applicants
    subscriptions: Subscriptions
    opt_outs: OptOuts
    staff: StaffDirectory
    templates: Templates
    outlets: dict[Channel, Outlet]
    """Email and SMS."""
    webhooks: WebhookPoster
    publisher: EventPublisher
    dead_letters: DeadLetters
    senders: Senders
    """Sends stored deliveries in the background."""
    clock: Callable[[], datetime] = stored_now


async def notifications(request: Request) -> NotificationsContext:
    """FastAPI dependency: the context of the running notifications service (async: FastAPI
    runs a plain function in a worker thread, a thread hop per request)."""
    context: NotificationsContext = request.app.state.context
    return context


Notifications = Annotated[NotificationsContext, Depends(notifications)]
"""A route parameter: the running service's context."""
