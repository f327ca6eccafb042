"""Applications filed by the ministry on its topic: the same rules as the API, one answer each."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from faststream.kafka import KafkaBroker
from intake_samples import contest_definition, project_form, worker_form

from contest_contracts.envelope import Envelope
from contest_contracts.events.applications import ApplicationSubmitted
from contest_contracts.events.contest import ContestDefinition
from contest_contracts.events.ministry import ApplicationFiled, ApplicationFilingAnswered
from contest_contracts.topics import MINISTRY_FILINGS
from contest_contracts.wire import to_record
from contest_intake.domain.forms import ApplicationForm
from contest_runtime.auth import Role
from contest_runtime.kafka import EventPublisher
from contest_runtime.settings import InfraSettings

Bearer = Callable[..., dict[str, str]]
Eventually = Callable[..., Awaitable[None]]


@pytest.fixture
def ministry(outside_broker: KafkaBroker) -> EventPublisher:
    """The ministry's system, publishing on the filings topic."""
    return EventPublisher(outside_broker, source="/ministry/mtszn/registry")


@pytest.fixture
async def contest(intake: Any, bearer: Bearer) -> ContestDefinition:
    definition = contest_definition()
    answer = await intake.http.post(
        "/contests",
        json=definition.model_dump(mode="json"),
        headers=bearer(Role.OPERATOR),
    )
    assert answer.status_code == 201
    return definition


def filing(request_id: str, contest_id: str, form: ApplicationForm) -> ApplicationFiled:
    return ApplicationFiled(
        request_id=request_id,
        contest_id=contest_id,
        nomination_code=form.nomination_code,
        region_code=form.region_code,
        applicant=form.applicant,
        contact=form.contact,
        details=form.details,
    )


async def answer_to(published: Any, eventually: Eventually, request_id: str) -> Envelope[Any]:
    def answers() -> list[Envelope[Any]]:
        return list(
            {
                e.id: e
                for e in published.events
                if isinstance(e.data, ApplicationFilingAnswered) and e.data.request_id == request_id
            }.values()
        )

    await eventually(answers)
    [answer] = answers()
    return answer


async def test_a_filed_application_is_submitted_and_answered_accepted(
    intake: Any,
    contest: ContestDefinition,
    ministry: EventPublisher,
    published: Any,
    eventually: Eventually,
) -> None:
    request_id = f"{contest.contest_id}-req-1"
    sent = await ministry.publish(
        MINISTRY_FILINGS,
        filing(request_id, contest.contest_id, worker_form(1)),
        subject=request_id,
        correlation_id=f"mtszn-{request_id}",
    )
    answer = await answer_to(published, eventually, request_id)
    assert answer.data.outcome == "accepted"
    assert answer.correlation_id == f"mtszn-{request_id}"
    assert answer.causation_id == sent.id
    application_id = answer.data.application_id
    application = await intake.office.applications.get(application_id)
    assert application is not None
    assert (application.status, application.source) == ("submitted", "ministry")
    await eventually(lambda: published.of(ApplicationSubmitted, application_id))


async def test_filings_that_break_the_rules_are_answered_rejected_with_reasons(
    intake: Any,
    contest: ContestDefinition,
    ministry: EventPublisher,
    published: Any,
    eventually: Eventually,
) -> None:
    base = contest.contest_id
    bad_bin = project_form(2)
    number = bad_bin.applicant.identifier
    wrong_check_digit = number[:11] + str((int(number[11]) + 1) % 10)
    bad_bin = bad_bin.model_copy(
        update={"applicant": bad_bin.applicant.model_copy(update={"identifier": wrong_check_digit})}
    )
    cases = {
        f"{base}-bad-bin": (base, bad_bin, "invalid_identifier"),
        f"{base}-bad-nomination": (
            base,
            project_form(3).model_copy(update={"nomination_code": "best-poet"}),
            "unknown_nomination",
        ),
        f"{base}-no-contest": ("no-such-contest", project_form(4), "unknown_contest"),
    }
    for request_id, (contest_id, form, _) in cases.items():
        await ministry.publish(
            MINISTRY_FILINGS, filing(request_id, contest_id, form), subject=request_id
        )
    for request_id, (_, _, code) in cases.items():
        answer = await answer_to(published, eventually, request_id)
        assert answer.data.outcome == "rejected"
        assert [r.code for r in answer.data.reasons] == [code]
        assert answer.data.application_id is None
    stored = await intake.office.applications.collection.count_documents({"contest_id": base})
    assert stored == 0


async def test_one_application_per_applicant_across_filings_and_redeliveries(
    intake: Any,
    contest: ContestDefinition,
    ministry: EventPublisher,
    published: Any,
    eventually: Eventually,
) -> None:
    first_id = f"{contest.contest_id}-first"
    data = filing(first_id, contest.contest_id, worker_form(5))
    envelope = Envelope.of(data, source=ministry.source, subject=first_id)
    await ministry.publish_envelope(MINISTRY_FILINGS, envelope)
    await ministry.publish_envelope(MINISTRY_FILINGS, envelope)  # redelivered by the broker
    second_id = f"{contest.contest_id}-second"
    # Sent with the first one's key: on one partition, it is handled after the redelivery.
    await ministry.publish(
        MINISTRY_FILINGS,
        filing(second_id, contest.contest_id, worker_form(5)),
        subject=first_id,
    )
    accepted = await answer_to(published, eventually, first_id)
    assert accepted.data.outcome == "accepted"
    duplicate = await answer_to(published, eventually, second_id)
    assert [r.code for r in duplicate.data.reasons] == ["application_exists"]
    await answer_to(published, eventually, first_id)  # still exactly one answer
    stored = await intake.office.applications.collection.count_documents(
        {"contest_id": contest.contest_id}
    )
    assert stored == 1


async def test_a_request_id_filed_again_under_a_new_event_is_answered(
    intake: Any,
    contest: ContestDefinition,
    ministry: EventPublisher,
    published: Any,
    eventually: Eventually,
) -> None:
    request_id = f"{contest.contest_id}-again"
    data = filing(request_id, contest.contest_id, worker_form(9))
    first = Envelope.of(data, source=ministry.source, subject=request_id)
    await ministry.publish_envelope(MINISTRY_FILINGS, first)
    await ministry.publish_envelope(MINISTRY_FILINGS, first)  # redelivered: no second answer
    same = await ministry.publish(MINISTRY_FILINGS, data, subject=request_id)
    other = filing(request_id, contest.contest_id, worker_form(10))
    changed = await ministry.publish(MINISTRY_FILINGS, other, subject=request_id)

    def answers() -> dict[str, Envelope[Any]]:
        return {
            e.causation_id: e
            for e in published.events
            if isinstance(e.data, ApplicationFilingAnswered) and e.data.request_id == request_id
        }

    await eventually(lambda: len(answers()) == 3)
    by_cause = answers()
    assert set(by_cause) == {first.id, same.id, changed.id}
    accepted = by_cause[first.id].data
    assert accepted.outcome == "accepted"
    assert by_cause[same.id].data.outcome == "accepted"  # the first outcome, again
    assert by_cause[same.id].data.application_id == accepted.application_id
    refused = by_cause[changed.id].data
    assert (refused.outcome, [(r.code, r.field) for r in refused.reasons]) == (
        "rejected",
        [("request_id_reused", "request_id")],
    )
    stored = await intake.office.applications.collection.count_documents(
        {"contest_id": contest.contest_id}
    )
    assert stored == 1


async def file_as_json(
    broker: KafkaBroker, payload: dict[str, Any], *, source: str = "/ministry/mtszn/registry"
) -> Envelope[Any]:
    """Publish ``payload`` as an outside producer writes it from the committed schema: the
    JSON as it is (not through the model), under the envelope's headers."""
    envelope = Envelope.of(
        ApplicationFiled.model_construct(request_id=payload.get("request_id", "")),
        source=source,
        subject=str(payload.get("request_id", "none")),
    )
    headers = to_record(envelope).headers
    await broker.publish(
        json.dumps(payload).encode(),
        MINISTRY_FILINGS.name,
        key=envelope.subject.encode(),
        headers=headers,
    )
    return envelope


async def test_a_filing_whose_details_leave_kind_out_is_accepted(
    contest: ContestDefinition,
    outside_broker: KafkaBroker,
    published: Any,
    eventually: Eventually,
) -> None:
    """The schema gives ``kind`` a default: a producer may leave it out."""
    request_id = f"{contest.contest_id}-no-kind"
    payload = filing(request_id, contest.contest_id, worker_form(11)).model_dump(mode="json")
    del payload["details"]["kind"]
    sent = await file_as_json(outside_broker, payload)
    answer = await answer_to(published, eventually, request_id)
    assert (answer.data.outcome, answer.causation_id) == ("accepted", sent.id)


async def dead_lettered_filings(infra: InfraSettings, event_ids: set[str]) -> dict[str, Any]:
    """The records of the filings' dead-letter topic whose ``ce_id`` is one of ``event_ids``
    (the topic is shared by every test), by that id; waits until all arrived."""
    reader = AIOKafkaConsumer(
        MINISTRY_FILINGS.dead_letter,
        bootstrap_servers=infra.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await reader.start()
    found: dict[str, Any] = {}
    try:
        for _ in range(200):
            batch = await reader.getmany(timeout_ms=100)
            for record in (r for rs in batch.values() for r in rs):
                headers = {k: v.decode() for k, v in record.headers}
                if headers.get("ce_id") in event_ids:
                    found[headers["ce_id"]] = headers
            if set(found) == event_ids:
                break
        return found
    finally:
        await reader.stop()


async def test_a_filing_that_can_be_read_is_answered_with_a_reason_per_field(
    intake: Any,
    contest: ContestDefinition,
    outside_broker: KafkaBroker,
    infra_settings: InfraSettings,
    published: Any,
    eventually: Eventually,
) -> None:
    """An email that is not one, a phone without +7, a wrong type: rejected with the field
    named, like a bad check digit; only a record with nothing to answer to is dead-lettered."""
    base = contest.contest_id

    def sent_as(number: int, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        payload = filing(f"{base}-fields-{number}", base, worker_form(20 + number)).model_dump(
            mode="json"
        )
        change(payload)
        return payload

    cases = {
        1: (
            lambda p: p["contact"].update(email="not-an-email"),
            [("value_error", "contact.email")],
        ),
        2: (
            lambda p: p["contact"].update(phone="87011234567"),
            [("string_pattern_mismatch", "contact.phone")],
        ),
        3: (
            lambda p: p["details"].update(years_of_service="many"),
            [("int_parsing", "details.years_of_service")],
        ),
        4: (
            lambda p: (p["details"].pop("kind"), p["details"].pop("position")),
            [("missing", "details.position")],
        ),
        5: (
            lambda p: (p["contact"].update(phone="+7701"), p.update(region_code=7)),
            [("string_type", "region_code"), ("string_pattern_mismatch", "contact.phone")],
        ),
    }
    for number, (change, _) in cases.items():
        await file_as_json(outside_broker, sent_as(number, change))
    for number, (_, expected) in cases.items():
        answer = await answer_to(published, eventually, f"{base}-fields-{number}")
        assert answer.data.outcome == "rejected"
        assert [(r.code, r.field) for r in answer.data.reasons] == expected
        assert all(r.message for r in answer.data.reasons)
    no_request_id = sent_as(6, lambda p: p.pop("request_id"))
    unanswerable = await file_as_json(outside_broker, no_request_id)
    dead = await dead_lettered_filings(infra_settings, {unanswerable.id})
    assert dead[unanswerable.id]["x-error-reason"] == "invalid_event"
    stored = await intake.office.applications.collection.count_documents({"contest_id": base})
    assert stored == 0
