"""Jurors hear of each assignment, and are reminded of a sheet before it is due unless they
submit it first (the rules are in ``domain.rules``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from contest_contracts.common import Language
from contest_contracts.envelope import Envelope
from contest_contracts.events.judging import JurorAssigned, ScoreRecorded
from contest_contracts.events.notifications import Channel
from contest_notifications.context import NotificationsContext
from contest_notifications.domain import rules
from contest_notifications.events.applicants import send_intents, title_of
from contest_notifications.store.deliveries import (
    DeliveryStatus,
    delivery_key,
    new_delivery,
)
from contest_runtime.mongo import epoch_ms


async def tell_juror(context: NotificationsContext, envelope: Envelope[Any]) -> None:
    """Email the juror the assignment, and schedule the sheet's reminder."""
    assigned: JurorAssigned = envelope.data
    juror = await context.staff.get(assigned.juror_id)
    if juror is None:
        return  # not in the directory: nowhere to write
    applicant = await context.applicants.get(assigned.application_id)
    title = applicant.title if applicant is not None else assigned.application_id
    contest = await title_of(context, assigned.contest_id)
    notice, reminder = rules.juror_assigned(juror, assigned, title, contest)
    await send_intents(context, envelope, [notice])
    if reminder is None or assigned.due_at is None:
        return
    remind_at = assigned.due_at - timedelta(seconds=context.settings.reminder_lead_s)
    if remind_at > context.clock():
        await send_intents(context, envelope, [reminder], not_before_ms=epoch_ms(remind_at))


async def sheet_recorded(context: NotificationsContext, envelope: Envelope[Any]) -> None:
    """A submitted sheet needs no reminder: cancel it, or, when the sheet came before the
    assignment (they travel on different topics), hold its place so it is never scheduled."""
    sheet: ScoreRecorded = envelope.data
    reminder = rules.sheet_reminder_id(
        sheet.contest_id, sheet.stage.value, sheet.application_id, sheet.juror_id
    )
    if await context.deliveries.cancel(delivery_key(reminder, Channel.EMAIL, sheet.juror_id)):
        return
    await context.deliveries.add(
        new_delivery(
            notification_id=reminder,
            channel=Channel.EMAIL,
            recipient_id=sheet.juror_id,
            address="",
            language=Language.RU,
            template="sheet_due",
            parameters={},
            priority=False,
            contest_id=sheet.contest_id,
            event_id=envelope.id,
            status=DeliveryStatus.CANCELLED,
            created_at=context.clock(),
        )
    )
