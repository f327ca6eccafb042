"""Whose an application is (``api.access``): an application the ministry filed is the
applicant's whose token carries its IIN/BIN, and nobody else's; one created through the API
stays its creator's."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from faststream.kafka import KafkaBroker
from intake_samples import an_iin, body, contest_definition, project_form, worker_form

from contest_contracts.events.applications import Applicant, ApplicationWithdrawn
from contest_contracts.events.contest import ContestDefinition
from contest_contracts.events.ministry import ApplicationFiled, ApplicationFilingAnswered
from contest_contracts.topics import MINISTRY_FILINGS
from contest_intake.domain.forms import ApplicationForm
from contest_runtime.auth import Role
from contest_runtime.kafka import EventPublisher

Bearer = Callable[..., dict[str, str]]
Eventually = Callable[..., Awaitable[None]]
PDF = b"%PDF-1.7 " + bytes(range(256)) * 4


@pytest.fixture
async def contest(intake: Any, bearer: Bearer) -> ContestDefinition:
    definition = contest_definition()
    answer = await intake.http.post(
        "/contests", json=definition.model_dump(mode="json"), headers=bearer(Role.OPERATOR)
    )
    assert answer.status_code == 201, answer.text
    return definition


async def file_for(
    outside_broker: KafkaBroker,
    published: Any,
    eventually: Eventually,
    contest: ContestDefinition,
    form: ApplicationForm,
) -> str:
    """File ``form`` as the ministry does, on its topic; the id of the accepted application."""
    request_id = f"{contest.contest_id}-{form.applicant.identifier[-4:]}"
    ministry = EventPublisher(outside_broker, source="/ministry/mtszn/registry")
    await ministry.publish(
        MINISTRY_FILINGS,
        ApplicationFiled(
            request_id=request_id,
            contest_id=contest.contest_id,
            nomination_code=form.nomination_code,
            region_code=form.region_code,
            applicant=form.applicant,
            contact=form.contact,
            details=form.details,
        ),
        subject=request_id,
    )

    def answers() -> list[ApplicationFilingAnswered]:
        return [
            e.data
            for e in published.events
            if isinstance(e.data, ApplicationFilingAnswered) and e.data.request_id == request_id
        ]

    await eventually(answers)
    answer = answers()[0]
    assert (answer.outcome, answer.application_id) != ("rejected", None), answer
    assert answer.application_id is not None
    return answer.application_id


async def mine(intake: Any, headers: dict[str, str]) -> list[str]:
    listed = await intake.http.get("/applications/mine", headers=headers)
    assert listed.status_code == 200, listed.text
    return [a["application_id"] for a in listed.json()]


async def test_a_filed_application_is_the_applicants_whose_token_carries_its_iin(
    intake: Any,
    bearer: Bearer,
    contest: ContestDefinition,
    outside_broker: KafkaBroker,
    published: Any,
    eventually: Eventually,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    form = worker_form(31)
    iin = form.applicant.identifier
    application_id = await file_for(outside_broker, published, eventually, contest, form)
    url = f"/applications/{application_id}"
    # eGov's subject is the provider's own; the IIN comes in its claim.
    holder = bearer(Role.APPLICANT, subject="egov-5f1c", iin_bin=iin)

    assert await mine(intake, holder) == [application_id]
    read = await intake.http.get(url, headers=holder)
    assert read.status_code == 200, read.text
    assert (read.json()["source"], read.json()["status"]) == ("ministry", "submitted")

    # What an owner may do with a submitted application before the deadline.
    uploaded = await intake.http.post(
        f"{url}/attachments",
        params={"filename": "диплом.pdf"},
        content=PDF,
        headers={**holder, "Content-Type": "application/pdf"},
    )
    assert uploaded.status_code == 201, uploaded.text
    attachment = f"{url}/attachments/{uploaded.json()['attachments'][0]['attachment_id']}"
    downloaded = await intake.http.get(attachment, headers=holder)
    assert (downloaded.status_code, downloaded.content) == (200, PDF)
    changed = form.model_copy(
        update={"details": form.details.model_copy(update={"years_of_service": 14})}
    )
    edited = await intake.http.put(url, json=body(changed), headers=holder)
    assert edited.status_code == 200, edited.text
    assert edited.json()["form"]["details"]["years_of_service"] == 14

    others = {
        "another applicant": bearer(Role.APPLICANT, subject="aigul-31"),
        "no IIN/BIN claim, the IIN as subject": bearer(Role.APPLICANT, subject=iin),
        "another IIN": bearer(Role.APPLICANT, subject="egov-5f1c", iin_bin=an_iin(32)),
        "the IIN, not an applicant": bearer(Role.JUROR, subject="egov-5f1c", iin_bin=iin),
    }
    for who, headers in others.items():
        if who != "the IIN, not an applicant":
            assert application_id not in await mine(intake, headers), who
        for method, path, kwargs in (
            ("GET", url, {}),
            ("GET", attachment, {}),
            ("PUT", url, {"json": body(changed)}),
            ("POST", f"{url}/withdraw", {"json": {}}),
            ("DELETE", attachment, {}),
            (
                "POST",
                f"{url}/attachments",
                {"params": {"filename": "x.pdf"}, "content": PDF},
            ),
        ):
            answer = await intake.http.request(
                method,
                path,
                headers={**headers, "Content-Type": "application/pdf"}
                if "content" in kwargs
                else headers,
                **kwargs,
            )
            assert answer.status_code == 403, (who, method, path, answer.text)
            assert answer.json()["code"] == "forbidden"
            assert iin not in answer.text, (who, path)

    withdrawn = await intake.http.post(f"{url}/withdraw", json={}, headers=holder)
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "withdrawn")
    await eventually(lambda: published.of(ApplicationWithdrawn, application_id))
    assert await mine(intake, holder) == [application_id]  # withdrawn, still theirs to see

    leaked = [r for r in caplog.records if iin in r.getMessage() or iin in repr(r.__dict__)]
    assert leaked == [], [r.getMessage() for r in leaked]


async def test_own_applications_stay_the_creators_and_typed_iins_give_nothing_away(
    intake: Any,
    bearer: Bearer,
    contest: ContestDefinition,
    outside_broker: KafkaBroker,
    published: Any,
    eventually: Eventually,
) -> None:
    # An applicant signed in through eGov files a project of their NGO themselves...
    iin = an_iin(33)
    holder = bearer(Role.APPLICANT, subject="egov-7a2e", iin_bin=iin)
    own = await intake.http.post(
        f"/contests/{contest.contest_id}/applications",
        json=body(project_form(33), submit=True),
        headers=holder,
    )
    assert own.status_code == 201, own.text
    own_id = own.json()["application_id"]
    # ... and the ministry files their worker application for them.
    filed_id = await file_for(outside_broker, published, eventually, contest, worker_form(33))
    assert sorted(await mine(intake, holder)) == sorted([own_id, filed_id])
    assert (await intake.http.get(f"/applications/{own_id}", headers=holder)).status_code == 200

    # Someone types another person's IIN into an application of their own: it stays theirs,
    # and the holder of that IIN neither sees it nor may touch it.
    typed = Applicant.model_validate(
        {**worker_form(34).applicant.model_dump(), "identifier": an_iin(35)}
    )
    creator = bearer(Role.APPLICANT, subject="creator-34")
    created = await intake.http.post(
        f"/contests/{contest.contest_id}/applications",
        json=body(worker_form(34, applicant=typed), submit=True),
        headers=creator,
    )
    assert created.status_code == 201, created.text
    typed_id = created.json()["application_id"]
    assert await mine(intake, creator) == [typed_id]
    named = bearer(Role.APPLICANT, subject="egov-9c4d", iin_bin=an_iin(35))
    assert await mine(intake, named) == []
    answer = await intake.http.get(f"/applications/{typed_id}", headers=named)
    assert answer.status_code == 403
    withdraw = await intake.http.post(f"/applications/{typed_id}/withdraw", json={}, headers=named)
    assert withdraw.status_code == 403
    assert (await intake.http.get(f"/applications/{typed_id}", headers=creator)).status_code == 200
