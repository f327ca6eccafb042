"""Messages asked for on the request topics: stored once under their delivery key, then
handed to a sender at once. The priority topic (one-time codes) has a consumer of its own,
so no bulk message is ever in front of a code."""

from __future__ import annotations

import functools
from typing import Any

from contest_contracts.envelope import Envelope
from contest_contracts.events.notifications import NotificationRequested
from contest_notifications.context import NotificationsContext
from contest_notifications.dispatch import attempt, lease_ms
from contest_notifications.store.deliveries import Delivery, new_delivery
from contest_runtime.mongo import epoch_ms


async def take_request(context: NotificationsContext, envelope: Envelope[Any]) -> None:
    """Store the delivery (a second request with the same key changes nothing) and send."""
    request: NotificationRequested = envelope.data
    await send_once(context, delivery_of(request, envelope.id, context))


def delivery_of(
    request: NotificationRequested, event_id: str, context: NotificationsContext
) -> Delivery:
    """The delivery a request asks for."""
    return new_delivery(
        notification_id=request.notification_id,
        channel=request.channel,
        recipient_id=request.recipient.recipient_id,
        address=request.recipient.address,
        language=request.recipient.language,
        template=request.template,
        parameters=request.parameters,
        priority=request.essential,
        essential=request.essential,
        contest_id=request.contest_id,
        event_id=event_id,
        created_at=context.clock(),
    )


async def send_once(context: NotificationsContext, delivery: Delivery) -> None:
    """Store a delivery and, when it is new and due, have it sent now in the background
    (retries follow there too); the event is done with once the delivery is stored.

    A delivery due now is stored already claimed, once a sender is free for it, so sending
    it takes no claim of its own and the retry job leaves it alone; should the process die
    first, the claim runs out and the retry job sends it. One scheduled for later is left
    to the retry job.
    """
    if delivery.next_attempt_ms > epoch_ms(context.clock()):
        await context.deliveries.add(delivery)
        return
    async with context.senders.free_sender() as start:
        claimed_until_ms = epoch_ms(context.clock()) + lease_ms(context.settings)
        claimed = delivery.model_copy(update={"claimed_until_ms": claimed_until_ms})
        if await context.deliveries.add(claimed):
            start(claimed.key, functools.partial(attempt, context, claimed))
