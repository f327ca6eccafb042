"""A state change and its event never diverge: with the broker unreachable, the change is
kept with its event, and the event is published once the broker is back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka.errors import KafkaConnectionError
from intake_samples import body, contest_definition, project_form

from contest_contracts.events.applications import ApplicationSubmitted
from contest_runtime.auth import Role

Bearer = Callable[..., dict[str, str]]
Eventually = Callable[..., Awaitable[None]]


class UnreachableBroker:
    """Stands in for the broker while it is down: every publish fails."""

    def __init__(self) -> None:
        self.attempts = 0

    async def publish(self, *args: Any, **kwargs: Any) -> None:
        self.attempts += 1
        raise KafkaConnectionError("broker unreachable")


async def test_an_event_that_could_not_be_published_goes_out_after_recovery(
    intake: Any, bearer: Bearer, published: Any, eventually: Eventually
) -> None:
    definition = contest_definition()
    await intake.http.post(
        "/contests",
        json=definition.model_dump(mode="json"),
        headers=bearer(Role.OPERATOR),
    )
    relay = intake.office.relay
    broker, unreachable = relay.broker, UnreachableBroker()
    relay.broker = unreachable
    try:
        answer = await intake.http.post(
            f"/contests/{definition.contest_id}/applications",
            json=body(project_form(1), submit=True),
            headers={
                **bearer(Role.APPLICANT, subject="org"),
                "Idempotency-Key": "once",
            },
        )
        assert answer.status_code == 201, answer.text
        application_id = answer.json()["application_id"]
        # The relay keeps trying while the broker is down; the event waits in the outbox.
        await eventually(lambda: unreachable.attempts >= 3)
        stored = await intake.office.applications.collection.find_one({"_id": application_id})
        assert stored["outbox_pending"]
        assert not published.of(ApplicationSubmitted, application_id)
    finally:
        relay.broker = broker

    await eventually(lambda: published.of(ApplicationSubmitted, application_id))
    await eventually(
        lambda: intake.office.applications.collection.find_one(
            {"_id": application_id, "outbox_pending": False}
        )
    )
    applications = await intake.office.applications.collection.count_documents(
        {"contest_id": definition.contest_id}
    )
    assert applications == 1
    assert len(published.of(ApplicationSubmitted, application_id)) == 1
