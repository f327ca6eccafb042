"""Events of the public topics, fanned out to the webhook subscriptions that want them:
one delivery per event and subscription (the delivery key), each the event as one
CloudEvents JSON document (structured mode, :func:`contest_contracts.wire.to_structured`)."""

from __future__ import annotations

from typing import Any

from contest_contracts.common import Language
from contest_contracts.envelope import Envelope
from contest_contracts.events.notifications import Channel
from contest_contracts.topics import CATALOGUE, CONTEST_DEFINITIONS, Topic, Visibility
from contest_contracts.wire import to_structured
from contest_notifications.context import NotificationsContext
from contest_notifications.domain.webhooks import regions_of, wanted
from contest_notifications.events.requests import send_once
from contest_notifications.store.deliveries import new_delivery

WEBHOOK_TOPICS: tuple[Topic, ...] = tuple(
    # Definitions are consumed for the service's own copies already; a second subscriber in
    # the same group would split that topic's partitions between the two.
    t
    for t in CATALOGUE
    if t.visibility == Visibility.PUBLIC and t is not CONTEST_DEFINITIONS
)
TOPIC_OF = {e.event_type: t for t in WEBHOOK_TOPICS for e in t.events}
"""Event type → the one public topic that carries it."""
WEBHOOK_EVENT_TYPES = frozenset(TOPIC_OF)


async def fan_out(context: NotificationsContext, envelope: Envelope[Any]) -> None:
    """Deliver the event to every subscription that wants it."""
    data = envelope.data.model_dump(mode="json")
    regions = regions_of(data)
    payload = to_structured(envelope).decode()
    for subscription in await context.subscriptions.all():
        if not wanted(envelope.type, regions, subscription.event_types, subscription.regions):
            continue
        await send_once(
            context,
            new_delivery(
                notification_id=envelope.id,
                channel=Channel.WEBHOOK,
                recipient_id=subscription.subscription_id,
                address=subscription.url,
                language=Language.RU,
                template="webhook",
                parameters={},
                priority=False,
                contest_id=data.get("contest_id"),
                event_id=envelope.id,
                source_topic=TOPIC_OF[envelope.type].name,
                payload=payload,
                created_at=context.clock(),
            ),
        )
