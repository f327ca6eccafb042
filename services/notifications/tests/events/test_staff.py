"""Jurors and secretaries on the real broker and store: the staff directory says where to
write; a secretary hears of an application to screen, a juror of an assignment, and of a
sheet about to be due unless it was submitted first."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from contest_contracts.events.applications import ApplicationSubmitted
from contest_contracts.events.judging import JurorAssigned, ScoreRecorded
from contest_contracts.samples import SAMPLES, SNAPSHOT
from contest_contracts.topics import APPLICATIONS, ASSIGNMENTS, SCORES
from contest_notifications.store.deliveries import DeliveryStatus
from contest_runtime.auth import Role


async def _enter(notifications: Any, bearer: Any, person: str, **entry: Any) -> None:
    answer = await notifications.http.put(
        f"/staff/{person}", json=entry, headers=bearer(Role.OPERATOR)
    )
    assert answer.status_code == 200, answer.text


async def test_secretaries_and_jurors_hear_their_part_and_a_submitted_sheet_is_not_reminded(
    notifications: Any, eventually: Any, bearer: Any
) -> None:
    tag = uuid.uuid4().hex[:8]
    region = f"KZ-T{tag[:3]}"
    secretary, juror = f"secretary-{tag}", f"juror-{tag}"
    await _enter(
        notifications,
        bearer,
        secretary,
        name="S",
        email=f"{secretary}@example.kz",
        roles=["secretary"],
        region_code=region,
    )
    await _enter(
        notifications,
        bearer,
        juror,
        name="J",
        email=f"{juror}@example.kz",
        language="en",
        roles=["juror"],
    )
    application = f"application-{tag}"
    snapshot = SNAPSHOT.model_copy(update={"application_id": application, "region_code": region})
    await notifications.outside.publish(
        APPLICATIONS, ApplicationSubmitted(application=snapshot), subject=application
    )
    await eventually(lambda: notifications.mailbox.to(f"{secretary}@example.kz"))

    sample: JurorAssigned = SAMPLES[JurorAssigned]  # type: ignore[assignment]
    sheet: ScoreRecorded = SAMPLES[ScoreRecorded]  # type: ignore[assignment]
    lead = timedelta(seconds=notifications.context.settings.reminder_lead_s)
    now = datetime.now(UTC)
    reminded, scored, early = (
        sample.model_copy(
            update={
                "assignment_id": f"asg-{tag}-{n}",
                "juror_id": juror,
                "application_id": application if n == 0 else f"other-{tag}-{n}",
                "due_at": now + lead + timedelta(seconds=delay),
            }
        )
        for n, delay in ((0, 4), (1, 12), (2, 12))
    )

    def sheet_of(assigned: JurorAssigned) -> ScoreRecorded:
        return sheet.model_copy(
            update={
                "juror_id": juror,
                "application_id": assigned.application_id,
                "contest_id": assigned.contest_id,
            }
        )

    publish = notifications.outside.publish
    for assigned in (reminded, scored):
        await publish(ASSIGNMENTS, assigned, subject=juror)
    # A sheet submitted while its reminder waits cancels it...
    await eventually(lambda: _reminders(notifications, juror, 2))
    await publish(SCORES, sheet_of(scored), subject=scored.application_id)
    # ...and one that arrives before its assignment keeps it from being scheduled.
    await publish(SCORES, sheet_of(early), subject=early.application_id)
    await eventually(lambda: _reminders(notifications, juror, 2, DeliveryStatus.CANCELLED))
    await publish(ASSIGNMENTS, early, subject=juror)

    inbox = f"{juror}@example.kz"
    await eventually(lambda: len(notifications.mailbox.to(inbox)) == 4, timeout_s=30)
    subjects = sorted(m["Subject"] for m in notifications.mailbox.to(inbox))
    assert subjects == sorted(
        [
            f'New application to score: "{snapshot.title}"',
            f'New application to score: "other-{tag}-1"',
            f'New application to score: "other-{tag}-2"',
            f'Reminder: score "{snapshot.title}"',
        ]
    )
    expected = [
        ("juror_assigned", DeliveryStatus.DELIVERED),
        ("juror_assigned", DeliveryStatus.DELIVERED),
        ("juror_assigned", DeliveryStatus.DELIVERED),
        ("sheet_due", DeliveryStatus.CANCELLED),
        ("sheet_due", DeliveryStatus.CANCELLED),
        ("sheet_due", DeliveryStatus.DELIVERED),
    ]

    async def statuses() -> list[tuple[str, DeliveryStatus]]:
        deliveries = await notifications.context.deliveries.find(recipient_id=juror)
        return sorted((d.template, d.status) for d in deliveries)

    async def settled() -> bool:
        return await statuses() == expected

    # a message is in the mailbox a moment before its delivery is marked delivered
    await eventually(settled)


async def _reminders(
    notifications: Any, juror: str, count: int, status: DeliveryStatus | None = None
) -> bool:
    """Whether the juror has ``count`` reminders (in ``status``)."""
    deliveries = await notifications.context.deliveries.find(recipient_id=juror, status=status)
    return sum(d.template == "sheet_due" for d in deliveries) == count


async def test_only_operators_keep_the_directory(notifications: Any, bearer: Any) -> None:
    entry = {"name": "S", "email": "s@example.kz", "roles": ["secretary"], "region_code": "KZ-71"}
    assert (await notifications.http.put("/staff/p", json=entry)).status_code == 401
    refused = await notifications.http.put("/staff/p", json=entry, headers=bearer(Role.JUROR))
    assert refused.status_code == 403
    operator = bearer(Role.OPERATOR)
    no_region = {**entry, "region_code": None}
    answer = await notifications.http.put("/staff/p", json=no_region, headers=operator)
    assert (answer.status_code, answer.json()["code"]) == (422, "region_required")
    bad_email = await notifications.http.put(
        "/staff/p", json={**entry, "email": "nope"}, headers=operator
    )
    assert bad_email.status_code == 422
    assert (await notifications.http.get("/staff/p", headers=operator)).status_code == 404


async def test_the_directory_lists_everyone_by_id_to_operators_only(
    notifications: Any, bearer: Any
) -> None:
    tag = uuid.uuid4().hex[:8]
    operator = bearer(Role.OPERATOR)
    for person, roles in ((f"b-{tag}", ["juror"]), (f"a-{tag}", ["juror", "secretary"])):
        entry = {"name": person, "email": f"{person}@example.kz", "roles": roles}
        kept = await notifications.http.put(
            f"/staff/{person}", json={**entry, "region_code": "KZ-71"}, headers=operator
        )
        assert kept.status_code == 200, kept.text
    assert (await notifications.http.get("/staff")).status_code == 401
    assert (
        await notifications.http.get("/staff", headers=bearer(Role.SECRETARY))
    ).status_code == 403
    listed = (await notifications.http.get("/staff", headers=operator)).json()
    mine = [entry for entry in listed if entry["person_id"].endswith(tag)]
    assert [entry["person_id"] for entry in mine] == [f"a-{tag}", f"b-{tag}"]
    assert mine[0] == {
        "person_id": f"a-{tag}",
        "name": f"a-{tag}",
        "email": f"a-{tag}@example.kz",
        "language": "ru",
        "roles": ["juror", "secretary"],
        "region_code": "KZ-71",
    }
    removed = await notifications.http.delete(f"/staff/b-{tag}", headers=operator)
    assert removed.status_code == 204
    listed = (await notifications.http.get("/staff", headers=operator)).json()
    assert [e["person_id"] for e in listed if e["person_id"].endswith(tag)] == [f"a-{tag}"]
