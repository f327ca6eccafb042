"""Opt-outs on the real broker and store: a recipient who opted out gets no message that is
not essential, but still gets one-time codes; operators alone record opt-outs."""

from __future__ import annotations

import random
import uuid
from typing import Any

from contest_contracts.common import Language
from contest_contracts.events.notifications import Channel, NotificationRequested, Recipient
from contest_contracts.samples import SAMPLES
from contest_contracts.topics import NOTIFICATION_PRIORITY, NOTIFICATION_REQUESTS
from contest_notifications.store.deliveries import DeliveryStatus
from contest_runtime.auth import Role


async def test_an_opted_out_recipient_gets_codes_but_nothing_else(
    notifications: Any, eventually: Any, bearer: Any
) -> None:
    phone = f"+7705{random.randrange(10**7):07d}"
    recipient = f"person-{uuid.uuid4().hex[:8]}"
    url = f"/opt-outs/{recipient}"
    assert (await notifications.http.put(url, json={})).status_code == 401
    assert (
        await notifications.http.put(url, json={}, headers=bearer(Role.JUROR))
    ).status_code == 403
    recorded = await notifications.http.put(
        url, json={"reason": "asked by phone"}, headers=bearer(Role.OPERATOR, subject="desk")
    )
    assert recorded.status_code == 200, recorded.text

    sample: NotificationRequested = SAMPLES[NotificationRequested]  # type: ignore[assignment]
    bulk = sample.model_copy(
        update={
            "notification_id": f"news-{uuid.uuid4().hex}",
            "channel": Channel.SMS,
            "recipient": Recipient(recipient_id=recipient, address=phone, language=Language.RU),
        }
    )
    code = NotificationRequested(
        notification_id=f"code-{uuid.uuid4().hex}",
        channel=Channel.SMS,
        recipient=Recipient(recipient_id=recipient, address=phone),
        template="voter_code",
        parameters={"code": "777111", "minutes": "5"},
        essential=True,
    )
    await notifications.outside.publish(NOTIFICATION_REQUESTS, bulk, subject=recipient)
    await notifications.outside.publish(NOTIFICATION_PRIORITY, code, subject=recipient)
    await eventually(lambda: notifications.sms.to(phone))
    await eventually(lambda: _status(notifications, bulk.notification_id, DeliveryStatus.OPTED_OUT))
    (sms,) = notifications.sms.to(phone)
    assert "777111" in sms["text"]

    withdrawn = await notifications.http.delete(url, headers=bearer(Role.OPERATOR))
    assert withdrawn.status_code == 204
    assert (await notifications.http.get(url, headers=bearer(Role.OPERATOR))).status_code == 404


async def _status(notifications: Any, notification_id: str, status: DeliveryStatus) -> bool:
    found = await notifications.context.deliveries.find(notification_id=notification_id)
    return bool(found) and found[0].status == status
