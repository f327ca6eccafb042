"""Applications through the API on the real broker and store: drafts, idempotent submission,
one per applicant, edits, withdrawal, screening, listings and timelines."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from intake_samples import (
    ALMATY,
    ASTANA,
    PROJECT_NOMINATION,
    WORKER_NOMINATION,
    a_bin,
    an_iin,
    body,
    contest_definition,
    project_form,
    worker_form,
)

from contest_contracts.events.applications import (
    ApplicationScreened,
    ApplicationSubmitted,
    ApplicationUpdated,
    ApplicationWithdrawn,
)
from contest_contracts.events.contest import ContestDefinition
from contest_runtime.auth import Role

Bearer = Callable[..., dict[str, str]]
Eventually = Callable[..., Awaitable[None]]


@pytest.fixture
async def contest(intake: Any, bearer: Bearer) -> ContestDefinition:
    definition = contest_definition()
    answer = await intake.http.post(
        "/contests",
        json=definition.model_dump(mode="json"),
        headers=bearer(Role.OPERATOR),
    )
    assert answer.status_code == 201, answer.text
    return definition


async def test_a_draft_is_edited_then_submitted_once(
    intake: Any, bearer: Bearer, contest: ContestDefinition, published: Any, eventually: Eventually
) -> None:
    applicant = bearer(Role.APPLICANT, subject="aigul")
    created = await intake.http.post(
        f"/contests/{contest.contest_id}/applications", json=body(worker_form(1)), headers=applicant
    )
    assert created.status_code == 201, created.text
    application = created.json()
    assert (application["status"], application["revision"]) == ("draft", 0)
    application_id = application["application_id"]

    form = worker_form(1)
    form = form.model_copy(
        update={"details": form.details.model_copy(update={"years_of_service": 15})}
    )
    edited = await intake.http.put(
        f"/applications/{application_id}", json=body(form), headers=applicant
    )
    assert edited.json()["form"]["details"]["years_of_service"] == 15

    submitted = await intake.http.post(f"/applications/{application_id}/submit", headers=applicant)
    assert submitted.status_code == 200, submitted.text
    assert (submitted.json()["status"], submitted.json()["revision"]) == ("submitted", 1)
    again = await intake.http.post(f"/applications/{application_id}/submit", headers=applicant)
    assert again.json() == submitted.json()

    await eventually(lambda: published.of(ApplicationSubmitted, application_id))
    [event] = published.of(ApplicationSubmitted, application_id)
    assert event.data.application.details.years_of_service == 15
    assert event.data.application.applicant.identifier == an_iin(1)

    mine = await intake.http.get("/applications/mine", headers=applicant)
    [own] = [a for a in mine.json() if a["application_id"] == application_id]
    assert [step["status"] for step in own["timeline"]] == ["draft", "submitted"]


async def test_a_partial_draft_is_saved_and_submitting_it_names_each_missing_field(
    intake: Any, bearer: Bearer, contest: ContestDefinition, published: Any, eventually: Eventually
) -> None:
    applicant = bearer(Role.APPLICANT, subject="partial")
    partial = {
        "nomination_code": WORKER_NOMINATION,
        "applicant": {"kind": "individual", "display_name": "Айгуль Серикова"},
        "details": {"kind": "worker", "position": "социальный работник"},
    }
    created = await intake.http.post(
        f"/contests/{contest.contest_id}/applications", json=partial, headers=applicant
    )
    assert created.status_code == 201, created.text
    application_id = created.json()["application_id"]
    assert created.json()["form"]["details"]["position"] == "социальный работник"

    refused = await intake.http.post(f"/applications/{application_id}/submit", headers=applicant)
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["code"] == "missing_field"
    assert sorted(".".join(e["location"]) for e in problem["errors"]) == sorted(
        [
            "body.region_code",
            "body.applicant.identifier",
            "body.contact.email",
            "body.contact.phone",
            "body.details.workplace",
            "body.details.years_of_service",
            "body.details.achievements",
        ]
    )
    assert {e["kind"] for e in problem["errors"]} == {"missing_field"}
    still = await intake.http.get(f"/applications/{application_id}", headers=applicant)
    assert still.json()["status"] == "draft"

    at_once = await intake.http.post(
        f"/contests/{contest.contest_id}/applications",
        json={**partial, "submit": True},
        headers=bearer(Role.APPLICANT, subject="partial-at-once"),
    )
    assert at_once.status_code == 422, at_once.text
    assert at_once.json()["code"] == "missing_field"

    wrong_type = await intake.http.put(
        f"/applications/{application_id}",
        json={**partial, "contact": {"phone": "8 701 000"}},
        headers=applicant,
    )
    assert wrong_type.status_code == 422, wrong_type.text
    assert ["contact", "phone"] in [e["location"][-2:] for e in wrong_type.json()["errors"]]

    completed = await intake.http.put(
        f"/applications/{application_id}", json=body(worker_form(31)), headers=applicant
    )
    assert completed.status_code == 200, completed.text
    submitted = await intake.http.post(f"/applications/{application_id}/submit", headers=applicant)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"
    await eventually(lambda: published.of(ApplicationSubmitted, application_id))

    emptied = await intake.http.put(
        f"/applications/{application_id}", json=partial, headers=applicant
    )
    assert emptied.status_code == 422, emptied.text
    assert emptied.json()["code"] == "missing_field"


async def test_a_retried_submission_with_the_same_idempotency_key_creates_one_application(
    intake: Any, bearer: Bearer, contest: ContestDefinition, published: Any, eventually: Eventually
) -> None:
    applicant = bearer(Role.APPLICANT, subject="zhiger")
    url = f"/contests/{contest.contest_id}/applications"
    request = body(project_form(2), submit=True)
    first = await intake.http.post(
        url, json=request, headers={**applicant, "Idempotency-Key": "k-1"}
    )
    retry = await intake.http.post(
        url, json=request, headers={**applicant, "Idempotency-Key": "k-1"}
    )
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["application_id"] == first.json()["application_id"]

    reused = await intake.http.post(
        url,
        json=body(project_form(3), submit=True),
        headers={**applicant, "Idempotency-Key": "k-1"},
    )
    assert (reused.status_code, reused.json()["code"]) == (422, "idempotency_key_reused")

    other_key = await intake.http.post(
        url, json=request, headers={**applicant, "Idempotency-Key": "k-2"}
    )
    assert (other_key.status_code, other_key.json()["code"]) == (409, "application_exists")

    stored = await intake.office.applications.collection.count_documents(
        {"contest_id": contest.contest_id}
    )
    assert stored == 1
    await eventually(lambda: published.of(ApplicationSubmitted, first.json()["application_id"]))
    assert len(published.of(ApplicationSubmitted, first.json()["application_id"])) == 1


async def test_one_application_per_applicant_nomination_and_contest(
    intake: Any, bearer: Bearer, contest: ContestDefinition
) -> None:
    url = f"/contests/{contest.contest_id}/applications"
    first = await intake.http.post(
        url, json=body(worker_form(4)), headers=bearer(Role.APPLICANT, subject="a")
    )
    assert first.status_code == 201
    # The same person, even through another account, in the same nomination: refused.
    second = await intake.http.post(
        url, json=body(worker_form(4)), headers=bearer(Role.APPLICANT, subject="b")
    )
    assert (second.status_code, second.json()["code"]) == (409, "application_exists")
    # Another nomination is another application.
    other = worker_form(4).model_copy(update={"nomination_code": "social-pedagogue"})
    third = await intake.http.post(
        url, json=body(other), headers=bearer(Role.APPLICANT, subject="a")
    )
    assert third.status_code == 201, third.text
    # Withdrawing frees the place for a new application.
    withdrawn = await intake.http.post(
        f"/applications/{first.json()['application_id']}/withdraw",
        json={},
        headers=bearer(Role.APPLICANT, subject="a"),
    )
    assert withdrawn.json()["status"] == "withdrawn"
    fourth = await intake.http.post(
        url, json=body(worker_form(4)), headers=bearer(Role.APPLICANT, subject="a")
    )
    assert fourth.status_code == 201


async def test_changes_after_submission_publish_updates_and_withdrawal(
    intake: Any, bearer: Bearer, contest: ContestDefinition, published: Any, eventually: Eventually
) -> None:
    applicant = bearer(Role.APPLICANT, subject="centre")
    created = await intake.http.post(
        f"/contests/{contest.contest_id}/applications",
        json=body(project_form(5), submit=True),
        headers=applicant,
    )
    application_id = created.json()["application_id"]
    form = project_form(5)
    form = form.model_copy(
        update={"details": form.details.model_copy(update={"beneficiaries_reached": 300})}
    )
    edited = await intake.http.put(
        f"/applications/{application_id}", json=body(form), headers=applicant
    )
    assert edited.json()["revision"] == 2
    withdrawn = await intake.http.post(
        f"/applications/{application_id}/withdraw", json={"reason": "merged"}, headers=applicant
    )
    assert withdrawn.json()["status"] == "withdrawn"
    refused = await intake.http.put(
        f"/applications/{application_id}", json=body(form), headers=applicant
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "not_editable")

    await eventually(lambda: published.of(ApplicationWithdrawn, application_id))
    [update] = published.of(ApplicationUpdated, application_id)
    assert (update.data.revision, update.data.application.details.beneficiaries_reached) == (2, 300)
    [withdrawal] = published.of(ApplicationWithdrawn, application_id)
    assert withdrawal.data.reason == "merged"


@pytest.mark.parametrize(
    ("change", "code", "where"),
    [
        (
            lambda b: b["applicant"].update(identifier="123456789012"),
            "invalid_identifier",
            "applicant",
        ),
        (lambda b: b.update(nomination_code="best-poet"), "unknown_nomination", "nomination_code"),
        (lambda b: b.update(region_code="KZ-99"), "unknown_region", "region_code"),
        (lambda b: b["contact"].update(phone="87011234567"), "validation_failed", "contact"),
        (lambda b: b["contact"].update(email="not-an-email"), "validation_failed", "contact"),
        (
            lambda b: b["details"].update(beneficiaries_reached="many"),
            "validation_failed",
            "details",
        ),
        (lambda b: b["details"].update(kind="worker"), "validation_failed", "details"),
        (lambda b: b.update(unexpected=True), "validation_failed", "unexpected"),
        (lambda b: b.pop("contact"), "missing_field", "contact"),
    ],
    ids=[
        "invalid-bin",
        "unknown-nomination",
        "unknown-region",
        "phone-not-e164",
        "bad-email",
        "wrong-type",
        "details-of-another-kind",
        "unknown-field",
        "missing-contact",
    ],
)
async def test_bad_input_is_a_problem_response_and_writes_nothing(
    intake: Any,
    bearer: Bearer,
    contest: ContestDefinition,
    change: Callable[[dict[str, Any]], Any],
    code: str,
    where: str,
) -> None:
    request = body(project_form(6), submit=True)
    change(request)
    answer = await intake.http.post(
        f"/contests/{contest.contest_id}/applications",
        json=request,
        headers=bearer(Role.APPLICANT, subject="bad"),
    )
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert problem["code"] == code
    assert any(where in map(str, error["location"]) for error in problem["errors"]), problem
    assert (
        await intake.office.applications.collection.count_documents(
            {"contest_id": contest.contest_id}
        )
        == 0
    )


async def test_malformed_json_and_unknown_contest(
    intake: Any, bearer: Bearer, contest: ContestDefinition
) -> None:
    applicant = bearer(Role.APPLICANT, subject="x")
    malformed = await intake.http.post(
        f"/contests/{contest.contest_id}/applications",
        content=b'{"nomination_code": ',
        headers={**applicant, "Content-Type": "application/json"},
    )
    assert (malformed.status_code, malformed.json()["code"]) == (422, "malformed_json")
    unknown = await intake.http.post(
        "/contests/no-such-contest/applications", json=body(project_form(7)), headers=applicant
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_contest")


async def test_who_may_read_and_change_an_application(
    intake: Any, bearer: Bearer, contest: ContestDefinition
) -> None:
    owner = bearer(Role.APPLICANT, subject="owner")
    created = await intake.http.post(
        f"/contests/{contest.contest_id}/applications",
        json=body(project_form(8, ASTANA), submit=True),
        headers=owner,
    )
    url = f"/applications/{created.json()['application_id']}"
    assert (await intake.http.get(url)).status_code == 401
    allowed = [
        owner,
        bearer(Role.SECRETARY, subject="s-astana", region_code=ASTANA),
        bearer(Role.OPERATOR),
    ]
    for headers in allowed:
        assert (await intake.http.get(url, headers=headers)).status_code == 200
    denied = [
        bearer(Role.APPLICANT, subject="someone-else"),
        bearer(Role.SECRETARY, subject="s-almaty", region_code=ALMATY),
        bearer(Role.JUROR, subject="juror"),
    ]
    for headers in denied:
        answer = await intake.http.get(url, headers=headers)
        assert (answer.status_code, answer.json()["code"]) == (403, "forbidden")
    for headers in (denied[0], allowed[1], allowed[2]):
        answer = await intake.http.post(f"{url}/withdraw", json={}, headers=headers)
        assert answer.status_code == 403, answer.text
    assert (await intake.http.get(url, headers=owner)).json()["status"] == "submitted"


async def test_secretaries_screen_and_list_the_applications_of_their_region(
    intake: Any, bearer: Bearer, contest: ContestDefinition, published: Any, eventually: Eventually
) -> None:
    url = f"/contests/{contest.contest_id}/applications"
    ids = {}
    for seed, region in ((10, ASTANA), (11, ASTANA), (12, ASTANA), (13, ALMATY)):
        created = await intake.http.post(
            url,
            json=body(project_form(seed, region), submit=True),
            headers=bearer(Role.APPLICANT, subject=f"org-{seed}"),
        )
        ids[seed] = created.json()["application_id"]
    astana = bearer(Role.SECRETARY, subject="s-astana", region_code=ASTANA)

    screened = await intake.http.post(
        f"/applications/{ids[10]}/screening", json={"decision": "eligible"}, headers=astana
    )
    assert screened.status_code == 200, screened.text
    assert screened.json()["status"] == "eligible"
    no_reason = await intake.http.post(
        f"/applications/{ids[11]}/screening", json={"decision": "ineligible"}, headers=astana
    )
    assert (no_reason.status_code, no_reason.json()["code"]) == (422, "reason_required")
    ineligible = await intake.http.post(
        f"/applications/{ids[11]}/screening",
        json={"decision": "ineligible", "reason": "the project has not started"},
        headers=astana,
    )
    assert ineligible.json()["status"] == "ineligible"
    other_region = await intake.http.post(
        f"/applications/{ids[13]}/screening", json={"decision": "eligible"}, headers=astana
    )
    assert other_region.status_code == 403
    applicant = await intake.http.post(
        f"/applications/{ids[12]}/screening",
        json={"decision": "eligible"},
        headers=bearer(Role.APPLICANT, subject="org-12"),
    )
    assert applicant.status_code == 403

    await eventually(lambda: published.of(ApplicationScreened, ids[11]))
    [event] = published.of(ApplicationScreened, ids[10])
    assert event.data.decision == "eligible"
    assert {c.check for c in event.data.checks} == {"required_fields", "attachments"}
    assert event.data.screened_by == "s-astana"

    page = await intake.http.get(url, params={"limit": 2}, headers=astana)
    assert page.status_code == 200, page.text
    first = page.json()
    assert [a["application_id"] for a in first["items"]] == [ids[10], ids[11]]
    # each listed application with its automatic checks as they stand now
    assert set(first["checks"]) == {ids[10], ids[11]}
    assert {c["check"] for c in first["checks"][ids[10]]} == {"required_fields", "attachments"}
    assert all(c["passed"] for c in first["checks"][ids[10]]) == all(
        c.passed for c in event.data.checks
    )
    rest = await intake.http.get(
        url, params={"limit": 2, "after": first["next_after"]}, headers=astana
    )
    assert [a["application_id"] for a in rest.json()["items"]] == [ids[12]]
    assert rest.json()["next_after"] is None
    eligible = await intake.http.get(url, params={"status": "eligible"}, headers=astana)
    assert [a["application_id"] for a in eligible.json()["items"]] == [ids[10]]
    forbidden = await intake.http.get(url, params={"region": ALMATY}, headers=astana)
    assert forbidden.status_code == 403

    # A partial draft in the region: the applicant's alone, and no whole form to check.
    partial = {"nomination_code": PROJECT_NOMINATION, "region_code": ASTANA}
    draft = await intake.http.post(
        url, json=partial, headers=bearer(Role.APPLICANT, subject="org-14")
    )
    assert draft.status_code == 201, draft.text
    draft_id = draft.json()["application_id"]
    for status in (None, "draft"):
        seen = await intake.http.get(
            url, params={"limit": 500, **({"status": status} if status else {})}, headers=astana
        )
        assert seen.status_code == 200, seen.text
        assert draft_id not in {a["application_id"] for a in seen.json()["items"]}

    operator = bearer(Role.OPERATOR)
    everything = await intake.http.get(url, params={"limit": 500}, headers=operator)
    assert everything.status_code == 200, everything.text
    listed = {a["application_id"] for a in everything.json()["items"]}
    assert listed == {*ids.values(), draft_id}
    assert draft_id not in everything.json()["checks"]
    almaty = await intake.http.get(url, params={"region": ALMATY}, headers=operator)
    assert [a["application_id"] for a in almaty.json()["items"]] == [ids[13]]
    juror = await intake.http.get(url, headers=bearer(Role.JUROR))
    assert juror.status_code == 403


async def test_an_organisation_cannot_apply_in_a_worker_nomination(
    intake: Any, bearer: Bearer, contest: ContestDefinition
) -> None:
    form = worker_form(20)
    request = body(form)
    request["applicant"].update(kind="organisation", identifier=a_bin(20))
    answer = await intake.http.post(
        f"/contests/{contest.contest_id}/applications",
        json=request,
        headers=bearer(Role.APPLICANT, subject="org"),
    )
    assert (answer.status_code, answer.json()["code"]) == (422, "applicant_kind_mismatch")


async def test_every_error_is_located_as_fastapi_does_from_the_part_of_the_request(
    intake: Any, bearer: Bearer, contest: ContestDefinition
) -> None:
    url = f"/contests/{contest.contest_id}/applications"
    applicant = bearer(Role.APPLICANT, subject="located")
    number = project_form(7).applicant.identifier
    for identifier, code in (
        (number[:11] + str((int(number[11]) + 1) % 10), "invalid_identifier"),  # check digit
        ("12345", "validation_failed"),  # schema: not 12 digits
    ):
        request = body(project_form(7), submit=True)
        request["applicant"]["identifier"] = identifier
        answer = await intake.http.post(url, json=request, headers=applicant)
        assert answer.json()["code"] == code, answer.text
        assert [e["location"] for e in answer.json()["errors"]] == [
            ["body", "applicant", "identifier"]
        ]
    reused = {**applicant, "Idempotency-Key": "located-1"}
    first = await intake.http.post(url, json=body(project_form(8)), headers=reused)
    assert first.status_code == 201, first.text
    again = await intake.http.post(url, json=body(project_form(9)), headers=reused)
    assert again.json()["code"] == "idempotency_key_reused"
    assert [e["location"] for e in again.json()["errors"]] == [["header", "idempotency-key"]]
