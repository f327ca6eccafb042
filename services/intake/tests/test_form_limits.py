"""An application is refused, before anything is stored, when it is larger than the contest
allows or than the broker takes: never answered "submitted" and then lost in the outbox.

Through the API (create, edit) and from the ministry, on the real broker and store.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from faststream.kafka import KafkaBroker
from intake_samples import body, contest_definition, project_form, worker_form

from contest_contracts.envelope import Envelope
from contest_contracts.events.applications import ApplicationSubmitted, ApplicationUpdated
from contest_contracts.events.contest import FormLimits
from contest_contracts.events.ministry import ApplicationFiled, ApplicationFilingAnswered
from contest_contracts.topics import MINISTRY_FILINGS
from contest_intake.domain.forms import ApplicationForm
from contest_runtime.auth import Role
from contest_runtime.kafka import EventPublisher

Bearer = Callable[..., dict[str, str]]
Eventually = Callable[..., Awaitable[None]]

GENEROUS = FormLimits(short_text_chars=2_000_000, long_text_chars=2_000_000, form_bytes=8_000_000)
"""Limits a definition may set that let through a form the broker cannot take."""


async def define(intake: Any, bearer: Bearer, limits: FormLimits | None = None) -> str:
    definition = contest_definition()
    if limits is not None:
        definition = definition.model_copy(update={"form_limits": limits})
    answer = await intake.http.post(
        "/contests", json=definition.model_dump(mode="json"), headers=bearer(Role.OPERATOR)
    )
    assert answer.status_code == 201, answer.text
    return definition.contest_id


def with_details(form: ApplicationForm, **details: Any) -> ApplicationForm:
    return form.model_copy(update={"details": form.details.model_copy(update=details)})


async def stored(intake: Any, contest_id: str) -> int:
    return int(
        await intake.office.applications.collection.count_documents({"contest_id": contest_id})
    )


async def test_an_oversized_field_is_refused_naming_each_field_and_nothing_is_stored(
    intake: Any, bearer: Bearer, published: Any
) -> None:
    contest_id = await define(intake, bearer)
    form = with_details(project_form(1), summary="ж" * 1_000_000, target_group="x" * 301)
    answer = await intake.http.post(
        f"/contests/{contest_id}/applications",
        json=body(form, submit=True),
        headers=bearer(Role.APPLICANT, subject="long"),
    )

    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["code"] == "text_too_long"
    named = {(".".join(e["location"]), e["kind"]) for e in problem["errors"]}
    assert ("body.details.summary", "text_too_long") in named
    assert ("body.details.target_group", "text_too_long") in named
    assert "ж" * 100 not in answer.text  # the text is not echoed back
    assert await stored(intake, contest_id) == 0
    assert not [
        e
        for e in published.events
        if isinstance(e.data, ApplicationSubmitted) and e.data.application.contest_id == contest_id
    ]


async def test_a_whole_form_past_its_limit_is_refused_though_every_field_fits(
    intake: Any, bearer: Bearer
) -> None:
    limits = FormLimits(long_text_chars=10_000, form_bytes=16 * 1024)
    contest_id = await define(intake, bearer, limits)
    # Each text within its limit, the form over 16 KiB: 9,000 Cyrillic letters are 18 KB.
    form = with_details(worker_form(2), achievements="ә" * 9_000)
    answer = await intake.http.post(
        f"/contests/{contest_id}/applications",
        json=body(form, submit=True),
        headers=bearer(Role.APPLICANT, subject="big"),
    )

    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "form_too_large"
    assert [e["kind"] for e in answer.json()["errors"]] == ["form_too_large"]
    assert await stored(intake, contest_id) == 0


async def test_the_default_limits_take_a_full_length_text(intake: Any, bearer: Bearer) -> None:
    contest_id = await define(intake, bearer)
    form = with_details(worker_form(3), achievements="ә" * 10_000, position="п" * 300)
    answer = await intake.http.post(
        f"/contests/{contest_id}/applications",
        json=body(form, submit=True),
        headers=bearer(Role.APPLICANT, subject="full"),
    )
    assert answer.status_code == 201, answer.text


async def test_an_edit_past_the_limits_is_refused_and_the_form_stays_as_it_was(
    intake: Any, bearer: Bearer, published: Any, eventually: Eventually
) -> None:
    contest_id = await define(intake, bearer)
    owner = bearer(Role.APPLICANT, subject="editor")
    created = await intake.http.post(
        f"/contests/{contest_id}/applications",
        json=body(project_form(4), submit=True),
        headers=owner,
    )
    application_id = created.json()["application_id"]
    longer = with_details(project_form(4), project_title="T" * 301)
    longer = longer.model_copy(
        update={"applicant": longer.applicant.model_copy(update={"display_name": "N" * 5_000})}
    )

    answer = await intake.http.put(
        f"/applications/{application_id}", json=body(longer), headers=owner
    )

    assert answer.status_code == 422, answer.text
    named = {".".join(e["location"]) for e in answer.json()["errors"]}
    assert named == {"body.details.project_title", "body.applicant.display_name"}
    kept = await intake.office.application(application_id)
    assert kept.complete == project_form(4) and kept.revision == 1
    await eventually(lambda: published.of(ApplicationSubmitted, application_id))
    assert not published.of(ApplicationUpdated, application_id)


async def test_an_application_the_broker_could_not_take_is_refused_not_stored(
    intake: Any, bearer: Bearer, published: Any
) -> None:
    # The definition lets the form through; its event would be larger than the broker takes.
    contest_id = await define(intake, bearer, GENEROUS)
    form = with_details(project_form(5), summary="s" * 1_100_000)
    answer = await intake.http.post(
        f"/contests/{contest_id}/applications",
        json=body(form, submit=True),
        headers=bearer(Role.APPLICANT, subject="huge"),
    )

    assert answer.status_code == 413, answer.text[:500]
    assert answer.json()["code"] == "application_too_large"
    assert await stored(intake, contest_id) == 0

    # A draft is stored without an event; submitting it is what would overflow the broker.
    owner = bearer(Role.APPLICANT, subject="huge-draft")
    draft = await intake.http.post(
        f"/contests/{contest_id}/applications", json=body(form), headers=owner
    )
    assert draft.status_code == 201, draft.text[:500]
    application_id = draft.json()["application_id"]
    submitted = await intake.http.post(f"/applications/{application_id}/submit", headers=owner)
    assert submitted.status_code == 413, submitted.text[:500]
    assert submitted.json()["code"] == "application_too_large"
    kept = await intake.office.applications.collection.find_one({"_id": application_id})
    assert kept["status"] == "draft" and not kept["outbox"]


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
        return [
            e
            for e in published.events
            if isinstance(e.data, ApplicationFilingAnswered) and e.data.request_id == request_id
        ]

    await eventually(answers)
    return answers()[0]


async def test_ministry_filings_past_the_limits_are_answered_rejected(
    intake: Any,
    bearer: Bearer,
    outside_broker: KafkaBroker,
    published: Any,
    eventually: Eventually,
) -> None:
    ministry = EventPublisher(outside_broker, source="/ministry/mtszn/registry")
    strict = await define(intake, bearer)
    generous = await define(intake, bearer, GENEROUS)
    # Within the broker's limit as a filing; twice the title in the application's event.
    title = "T" * 550_000
    cases = {
        f"{strict}-long": (strict, with_details(project_form(6), summary="s" * 20_000)),
        f"{generous}-huge": (generous, with_details(project_form(7), project_title=title)),
    }
    for request_id, (contest_id, form) in cases.items():
        await ministry.publish(
            MINISTRY_FILINGS, filing(request_id, contest_id, form), subject=request_id
        )

    long = await answer_to(published, eventually, f"{strict}-long")
    assert long.data.outcome == "rejected"
    assert [(r.code, r.field) for r in long.data.reasons] == [("text_too_long", "details.summary")]
    huge = await answer_to(published, eventually, f"{generous}-huge")
    assert huge.data.outcome == "rejected"
    assert [r.code for r in huge.data.reasons] == ["application_too_large"]
    assert await stored(intake, strict) == 0 and await stored(intake, generous) == 0


async def test_files_past_the_limit_of_an_application_are_refused(
    intake: Any, bearer: Bearer
) -> None:
    contest_id = await define(intake, bearer, FormLimits(attachments=1))
    owner = bearer(Role.APPLICANT, subject="files")
    created = await intake.http.post(
        f"/contests/{contest_id}/applications", json=body(project_form(8)), headers=owner
    )
    application_id = created.json()["application_id"]

    def upload(name: str) -> Any:
        return intake.http.post(
            f"/applications/{application_id}/attachments",
            params={"filename": name},
            content=b"%PDF-1.7 " + bytes(range(256)),
            headers={**owner, "Content-Type": "application/pdf"},
        )

    assert (await upload("one.pdf")).status_code == 201
    second = await upload("two.pdf")
    assert second.status_code == 422, second.text
    assert second.json()["code"] == "too_many_attachments"
    kept = await intake.office.application(application_id)
    assert [a.filename for a in kept.attachments] == ["one.pdf"]
    db = intake.office.applications.collection.database
    names = [f["filename"] async for f in db["attachments.files"].find({}, {"filename": 1})]
    assert "two.pdf" not in names
