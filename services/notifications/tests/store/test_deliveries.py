"""The delivery log on the real store: the retry job is offered only deliveries that are
due and that no sender holds, and a sender's claim keeps every other sender away."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from pymongo import AsyncMongoClient

from contest_contracts.common import Language
from contest_contracts.events.notifications import Channel
from contest_notifications.store.deliveries import Deliveries, Delivery, new_delivery
from contest_runtime.mongo import Document, epoch_ms

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
SECOND = 1000


def a_code(recipient: str, **fields: int) -> Delivery:
    return new_delivery(
        notification_id=f"code-{recipient}",
        channel=Channel.SMS,
        recipient_id=recipient,
        address="+77011234567",
        language=Language.RU,
        template="voter_code",
        parameters={"code": "123456", "minutes": "5"},
        priority=True,
        event_id=f"event-{recipient}",
        created_at=NOW,
        **fields,
    )


async def test_the_retry_job_is_offered_what_is_due_and_held_by_no_sender(
    mongo: AsyncMongoClient[Document], unique: Callable[[str], str]
) -> None:
    deliveries = Deliveries(mongo[unique("notifications")])
    await deliveries.create_indexes()
    now_ms = epoch_ms(NOW)
    for delivery in (
        a_code("due"),
        a_code("held", claimed_until_ms=now_ms + 20 * SECOND),
        a_code("held-until-a-moment-ago", claimed_until_ms=now_ms - SECOND),
        a_code("later", next_attempt_ms=now_ms + 60 * SECOND),
    ):
        assert await deliveries.add(delivery)

    due = await deliveries.due(NOW, limit=10)
    assert sorted(d.split("/")[-1] for d in due) == ["due", "held-until-a-moment-ago"]
    assert await deliveries.claim(a_code("held").key, NOW, 20 * SECOND) is None
    claimed = await deliveries.claim(a_code("due").key, NOW, 20 * SECOND)
    assert claimed is not None and claimed.claimed_until_ms == now_ms + 20 * SECOND
    assert await deliveries.due(NOW, limit=10) == [a_code("held-until-a-moment-ago").key]
    # A minute on, every claim has run out and the scheduled one is due too.
    later = await deliveries.due(NOW + timedelta(seconds=61), limit=10)
    assert len(later) == 4
