"""Deliveries on the real broker and store, to a real SMTP server and a real HTTP provider:
exactly one message per event, recipient and channel, also when the event comes twice and
when the provider fails before it succeeds."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

from contest_contracts.common import Language
from contest_contracts.events.applications import ApplicationScreened, ApplicationSubmitted
from contest_contracts.events.judging import FinalistsSelected, NominationResult, ResultsPublished
from contest_contracts.events.notifications import (
    Channel,
    NotificationDelivered,
    NotificationFailed,
    NotificationRequested,
    Recipient,
)
from contest_contracts.samples import SAMPLES, SNAPSHOT
from contest_contracts.topics import (
    APPLICATIONS,
    FINALISTS,
    NOTIFICATION_PRIORITY,
    NOTIFICATION_REQUESTS,
    RESULTS,
)
from contest_notifications.domain.sms import segments
from contest_notifications.store.deliveries import DeliveryStatus
from contest_runtime.auth import Role

NOMINATION = "best-social-project"


def a_phone() -> str:
    return f"+7701{random.randrange(10**7):07d}"


def code_for(phone: str, language: Language = Language.RU) -> NotificationRequested:
    return NotificationRequested(
        notification_id=f"code-{uuid.uuid4().hex}",
        channel=Channel.SMS,
        recipient=Recipient(recipient_id=f"voter-{phone}", address=phone, language=language),
        template="voter_code",
        parameters={"code": "482913", "minutes": "5"},
        essential=True,
    )


async def test_an_email_asked_for_twice_is_sent_once_in_the_recipients_language(
    notifications: Any, eventually: Any
) -> None:
    address = f"{uuid.uuid4().hex[:8]}@example.kz"
    notifications.mailbox.failures[address] = 2  # the server refuses it twice for now
    sample: NotificationRequested = SAMPLES[NotificationRequested]  # type: ignore[assignment]
    request = sample.model_copy(
        update={
            "notification_id": f"ntf-{uuid.uuid4().hex}",
            "recipient": Recipient(recipient_id=address, address=address, language=Language.KK),
        }
    )
    for _ in range(2):  # a producer's retry: the same request as a second event
        await notifications.outside.publish(NOTIFICATION_REQUESTS, request, subject=address)
    # The module's first delivery also waits for the service's consumers to join their
    # groups, which took more than 20 s on a loaded CI machine once.
    await eventually(lambda: notifications.mailbox.to(address), timeout_s=60)
    await eventually(lambda: _told(notifications, request.notification_id))

    (message,) = notifications.mailbox.to(address)
    assert message["Content-Language"] == "kk"
    assert "өтінімі қабылданды" in message["Subject"]
    (logged,) = await notifications.context.deliveries.find(recipient_id=address)
    assert logged.status == DeliveryStatus.DELIVERED
    assert [a.error is None for a in logged.attempts] == [False, False, True]


async def test_an_email_has_a_date_a_full_domain_message_id_and_unsubscribe_where_it_applies(
    notifications: Any, eventually: Any
) -> None:
    sample: NotificationRequested = SAMPLES[NotificationRequested]  # type: ignore[assignment]
    sent: dict[bool, Any] = {}
    for essential in (False, True):
        address = f"{uuid.uuid4().hex[:8]}@example.kz"
        request = sample.model_copy(
            update={
                "notification_id": f"ntf-{uuid.uuid4().hex}",
                "recipient": Recipient(recipient_id=address, address=address),
                "essential": essential,
            }
        )
        before = datetime.now(UTC).replace(microsecond=0)
        await notifications.outside.publish(NOTIFICATION_REQUESTS, request, subject=address)
        await eventually(lambda a=address: notifications.mailbox.to(a))
        (sent[essential],) = notifications.mailbox.to(address)
        (logged,) = await notifications.context.deliveries.find(recipient_id=address)
        message = sent[essential]
        assert before <= parsedate_to_datetime(message["Date"]) <= datetime.now(UTC)
        left, _, domain = message["Message-ID"].strip("<>").rpartition("@")
        assert domain == "notifications.example.kz"
        assert "@" not in left and left.startswith(request.notification_id)  # its delivery
        assert left.endswith(address.replace("@", "=40")) and logged.channel == Channel.EMAIL
    assert sent[False]["List-Unsubscribe"] == (
        f"<https://konkurs.example.kz/opt-out/{quote(sent[False]['To'], safe='')}>"
    )
    assert sent[True]["List-Unsubscribe"] is None  # essential: sent whatever the opt-outs


async def test_a_code_reaches_the_provider_once_after_it_failed_twice(
    notifications: Any, eventually: Any
) -> None:
    phone = a_phone()
    notifications.sms.failures[phone] = 2
    request = code_for(phone, Language.EN)
    await notifications.outside.publish(NOTIFICATION_PRIORITY, request, subject=phone)
    await eventually(lambda: notifications.sms.to(phone))
    await eventually(lambda: _told(notifications, request.notification_id))

    (sms,) = notifications.sms.to(phone)
    assert sms["text"].startswith("Your voting code is 482913")
    (logged,) = await notifications.context.deliveries.find(notification_id=request.notification_id)
    assert logged.status == DeliveryStatus.DELIVERED
    assert [a.error is None for a in logged.attempts] == [False, False, True]
    assert sms["client_ref"] == logged.key


async def test_a_code_ends_with_the_autofill_line_of_the_configured_host_in_one_segment(
    notifications: Any, eventually: Any
) -> None:
    context = notifications.context
    settings = context.settings
    context.settings = settings.model_copy(update={"sms_autofill_host": "vote.example.kz"})
    try:
        phone = a_phone()
        request = code_for(phone, Language.RU)
        await notifications.outside.publish(NOTIFICATION_PRIORITY, request, subject=phone)
        await eventually(lambda: notifications.sms.to(phone))
    finally:
        context.settings = settings
    (sms,) = notifications.sms.to(phone)
    assert sms["text"].splitlines()[-1] == "@vote.example.kz #482913"
    assert segments(sms["text"]) == 1


async def test_a_delivery_that_keeps_failing_fails_and_an_operator_replays_it(
    notifications: Any, eventually: Any, bearer: Any
) -> None:
    phone = a_phone()
    notifications.sms.failures[phone] = 3
    request = code_for(phone)
    await notifications.outside.publish(NOTIFICATION_PRIORITY, request, subject=phone)
    await eventually(lambda: _told(notifications, request.notification_id, NotificationFailed))
    assert notifications.sms.to(phone) == []

    operator = bearer(Role.OPERATOR)
    failed = await notifications.http.get(
        "/deliveries",
        params={"status": "failed", "recipient_id": f"voter-{phone}"},
        headers=operator,
    )
    (logged,) = failed.json()
    assert len(logged["attempts"]) == 3
    replayed = await notifications.http.post(
        f"/deliveries/{logged['key']}/replay", headers=operator
    )
    assert replayed.status_code == 200, replayed.text
    assert replayed.json()["status"] == "delivered"
    assert len(notifications.sms.to(phone)) == 1
    again = await notifications.http.post(f"/deliveries/{logged['key']}/replay", headers=operator)
    assert (again.status_code, again.json()["code"]) == (409, "not_failed")


async def test_an_applicant_hears_each_step_once_whatever_is_delivered_twice(
    notifications: Any, eventually: Any
) -> None:
    application_id = f"application-{uuid.uuid4().hex[:10]}"
    contest = f"contest-{uuid.uuid4().hex[:8]}"
    address = f"{application_id}@example.kz"
    snapshot = SNAPSHOT.model_copy(
        update={
            "application_id": application_id,
            "contest_id": contest,
            "contact": SNAPSHOT.contact.model_copy(update={"email": address}),
        }
    )
    screened: ApplicationScreened = SAMPLES[ApplicationScreened]  # type: ignore[assignment]
    finalists: FinalistsSelected = SAMPLES[FinalistsSelected]  # type: ignore[assignment]
    results: ResultsPublished = SAMPLES[ResultsPublished]  # type: ignore[assignment]
    finalist = finalists.finalists[0].model_copy(update={"application_id": application_id})
    place = results.nominations[0].places[0].model_copy(update={"application_id": application_id})
    steps = [
        (APPLICATIONS, ApplicationSubmitted(application=snapshot)),
        (
            APPLICATIONS,
            screened.model_copy(update={"application_id": application_id, "contest_id": contest}),
        ),
        (FINALISTS, finalists.model_copy(update={"contest_id": contest, "finalists": [finalist]})),
        (
            RESULTS,
            results.model_copy(
                update={
                    "contest_id": contest,
                    "nominations": [NominationResult(nomination_code=NOMINATION, places=[place])],
                }
            ),
        ),
    ]
    publish = notifications.outside.publish
    for told, (topic, event) in enumerate(steps, start=1):
        for _ in range(2):  # each step delivered twice, the second time as a new event
            await publish(topic, event, subject=application_id)
        await eventually(lambda n=told: len(notifications.mailbox.to(address)) == n)

    subjects = [m["Subject"] for m in notifications.mailbox.to(address)]
    assert [snapshot.title in subject for subject in subjects] == [True] * 4
    # The sample applicant writes in Kazakh.
    assert "бағалауға жіберілді" in subjects[1]
    assert "финалисі" in subjects[2]
    assert "2-орын" in subjects[3]
    logged = await notifications.context.deliveries.find(recipient_id=f"applicant-{application_id}")
    assert sorted(d.template for d in logged) == [
        "application_received",
        "application_screened_eligible",
        "awarded_place",
        "finalist",
    ]


def _told(notifications: Any, notification_id: str, model: type = NotificationDelivered) -> bool:
    """Whether the outcomes topic carried the delivery's outcome."""
    return bool(notifications.outcomes.of(model, notification_id))
