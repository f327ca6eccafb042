"""Drafts: a draft holds any part of the form, each field it holds checked as in a whole
form; submission needs the whole form and names every missing field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from intake_samples import PROJECT_NOMINATION, WORKER_NOMINATION, an_iin, project_form
from pydantic import ValidationError

from contest_intake.domain.applications import Application, ApplicationStatus
from contest_intake.domain.definitions import demo_definition
from contest_intake.domain.drafts import (
    DraftForm,
    as_draft,
    completed,
    draft_refusals,
    missing_refusals,
)
from contest_intake.domain.forms import Refused

NOW = datetime(2025, 8, 10, 9, 30, tzinfo=UTC)
DEFINITION = demo_definition()


def test_a_draft_naming_only_its_nomination_is_acceptable() -> None:
    draft = DraftForm(nomination_code=PROJECT_NOMINATION)
    assert draft_refusals(draft, DEFINITION) == []


def test_a_partial_draft_is_acceptable_when_what_it_holds_is_valid() -> None:
    draft = DraftForm.model_validate(
        {
            "nomination_code": PROJECT_NOMINATION,
            "applicant": {"display_name": "ОО Жігер"},
            "details": {"kind": "project", "project_title": "Спорт для всех"},
        }
    )
    assert draft_refusals(draft, DEFINITION) == []


@pytest.mark.parametrize(
    "fields",
    [
        {"applicant": {"identifier": "12345"}},
        {"contact": {"phone": "8701"}},
        {"contact": {"email": "not an email"}},
        {"details": {"kind": "project", "budget_tenge": -1}},
        {"details": {"kind": "worker", "years_of_service": 71}},
        {"applicant": {"display_name": ""}},
    ],
)
def test_a_draft_field_of_the_wrong_type_or_out_of_its_bounds_is_refused(
    fields: dict[str, object],
) -> None:
    with pytest.raises(ValidationError):
        DraftForm.model_validate({"nomination_code": PROJECT_NOMINATION, **fields})


def test_a_draft_is_held_to_the_definitions_rules_on_the_fields_it_holds() -> None:
    too_long = "я" * (DEFINITION.form_limits.short_text_chars + 1)
    draft = DraftForm.model_validate(
        {
            "nomination_code": PROJECT_NOMINATION,
            "region_code": "KZ-00",
            "applicant": {"identifier": an_iin(1)[:11] + "0", "kind": "individual"},
            "details": {"kind": "project", "project_title": too_long},
        }
    )
    refusals = {(r.code, r.field) for r in draft_refusals(draft, DEFINITION)}
    assert ("unknown_region", "region_code") in refusals
    assert ("text_too_long", "details.project_title") in refusals
    assert all(r.code != "missing_field" for r in draft_refusals(draft, DEFINITION))


def test_a_draft_of_the_wrong_kind_for_its_nomination_is_refused() -> None:
    draft = DraftForm.model_validate(
        {"nomination_code": WORKER_NOMINATION, "details": {"kind": "project"}}
    )
    assert [r.code for r in draft_refusals(draft, DEFINITION)] == ["details_kind_mismatch"]


def test_submission_names_every_missing_field_once() -> None:
    draft = DraftForm.model_validate(
        {
            "nomination_code": PROJECT_NOMINATION,
            "applicant": {"kind": "organisation", "display_name": "ОО Жігер"},
            "details": {"kind": "project", "project_title": "Спорт для всех"},
        }
    )
    missing = [r.field for r in missing_refusals(draft, DEFINITION)]
    assert sorted(missing) == sorted(
        [
            "region_code",
            "applicant.identifier",
            "contact.email",
            "contact.phone",
            "details.summary",
            "details.target_group",
            "details.beneficiaries_reached",
            "details.budget_tenge",
            "details.period_start",
        ]
    )
    assert len(missing) == len(set(missing))


def test_a_draft_without_details_misses_each_field_of_its_nominations_kind() -> None:
    missing = {
        r.field for r in missing_refusals(DraftForm(nomination_code=WORKER_NOMINATION), DEFINITION)
    }
    assert {
        "details.workplace",
        "details.position",
        "details.years_of_service",
        "details.achievements",
    } <= missing


def test_a_complete_draft_completes_to_the_whole_form() -> None:
    assert completed(as_draft(project_form(1)), DEFINITION) == project_form(1)


def test_an_incomplete_draft_is_not_submitted() -> None:
    application = Application.draft(
        "app-1", "contest-1", "owner-1", DraftForm(nomination_code=PROJECT_NOMINATION), NOW
    )
    assert application.slot == "unnamed/app-1"
    with pytest.raises(Refused) as caught:
        application.submit(NOW, DEFINITION)
    assert {r.code for r in caught.value.refusals} == {"missing_field"}
    assert application.status == ApplicationStatus.DRAFT
    assert application.submitted_at is None


def test_a_draft_completed_by_editing_is_submitted() -> None:
    application = Application.draft(
        "app-1", "contest-1", "owner-1", DraftForm(nomination_code=PROJECT_NOMINATION), NOW
    )
    application.edit(project_form(1))
    assert len(application.submit(NOW, DEFINITION)) == 1
    assert application.status == ApplicationStatus.SUBMITTED
