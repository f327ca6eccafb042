"""Applications as pure domain logic: which forms are refused, and how an application moves
from draft through submission, changes, withdrawal and screening, and the events it causes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from intake_samples import (
    ALMATY,
    ASTANA,
    PROJECT_NOMINATION,
    WORKER_NOMINATION,
    a_bin,
    an_iin,
    contest_definition,
    project_form,
    worker_form,
)

from contest_contracts.common import ApplicantKind
from contest_contracts.events.applications import (
    Applicant,
    ApplicationScreened,
    ApplicationSubmitted,
    ApplicationUpdated,
    ApplicationWithdrawn,
    AttachmentRef,
    ProjectDetails,
    ScreeningCheck,
    ScreeningDecision,
)
from contest_contracts.events.contest import ContestDefinition
from contest_intake.domain.applications import (
    FILED,
    Application,
    ApplicationStatus,
    screening_checks,
)
from contest_intake.domain.definitions import demo_definition
from contest_intake.domain.forms import (
    ApplicationForm,
    Refusal,
    Refused,
    applicant_slot,
    form_refusals,
    title_of,
)

NOW = datetime(2025, 8, 10, 9, 30, tzinfo=UTC)
LATER = NOW + timedelta(hours=2)
PASSED = [
    ScreeningCheck(check="required_fields", passed=True),
    ScreeningCheck(check="attachments", passed=True),
]
FAILED = [
    ScreeningCheck(check="required_fields", passed=True),
    ScreeningCheck(check="attachments", passed=False, detail="0 of 2 files attached"),
]


def broken(number: str) -> str:
    """The same 12 digits with a different (so wrong) check digit."""
    return number[:11] + str((int(number[11]) + 1) % 10)


def codes(refusals: list[Refusal]) -> list[str]:
    return [r.code for r in refusals]


def requiring(definition: ContestDefinition, nomination: str, field: str) -> ContestDefinition:
    """``definition`` with ``field`` added to the required fields of ``nomination``."""
    nominations = [
        n.model_copy(update={"required_fields": [*n.required_fields, field]})
        if n.code == nomination
        else n
        for n in definition.nominations
    ]
    return definition.model_copy(update={"nominations": nominations})


def draft(form: ApplicationForm | None = None, application_id: str = "app-1") -> Application:
    return Application.draft(
        application_id=application_id,
        contest_id="contest-1",
        owner="owner-1",
        form=form or project_form(1),
        now=NOW,
    )


def submitted(form: ApplicationForm | None = None) -> Application:
    application = draft(form)
    application.submit(NOW, demo_definition())
    return application


def attachment(
    attachment_id: str = "file-1",
    media_type: str = "application/pdf",
    size_bytes: int = 1024,
) -> AttachmentRef:
    return AttachmentRef(
        attachment_id=attachment_id,
        filename=f"{attachment_id}.pdf",
        media_type=media_type,
        size_bytes=size_bytes,
        sha256="0" * 64,
    )


def refused_code(caught: pytest.ExceptionInfo[Refused]) -> str:
    return caught.value.code


# -- form_refusals ------------------------------------------------------------------------


def test_valid_project_and_worker_forms_have_no_refusals() -> None:
    definition = contest_definition()
    assert form_refusals(project_form(1), definition) == []
    assert form_refusals(worker_form(2, ALMATY), definition) == []


def test_unknown_nomination_is_refused() -> None:
    refusals = form_refusals(project_form(1, nomination_code="no-such"), contest_definition())
    assert codes(refusals) == ["unknown_nomination"]
    assert refusals[0].field == "nomination_code"


def test_unknown_region_is_refused() -> None:
    refusals = form_refusals(project_form(1, region_code="KZ-00"), contest_definition())
    assert codes(refusals) == ["unknown_region"]
    assert refusals[0].field == "region_code"


def test_an_invalid_iin_of_an_individual_is_refused() -> None:
    form = worker_form(1)
    applicant = form.applicant.model_copy(update={"identifier": broken(an_iin(1))})
    refusals = form_refusals(form.model_copy(update={"applicant": applicant}), contest_definition())
    assert codes(refusals) == ["invalid_identifier"]
    assert refusals[0].field == "applicant.identifier"
    assert "IIN" in refusals[0].message


def test_an_invalid_bin_of_an_organisation_is_refused() -> None:
    form = project_form(1)
    applicant = form.applicant.model_copy(update={"identifier": broken(a_bin(1))})
    refusals = form_refusals(form.model_copy(update={"applicant": applicant}), contest_definition())
    assert codes(refusals) == ["invalid_identifier"]
    assert refusals[0].field == "applicant.identifier"
    assert "BIN" in refusals[0].message


def test_an_individual_is_checked_as_an_iin_not_a_bin() -> None:
    form = worker_form(1)
    applicant = form.applicant.model_copy(update={"identifier": a_bin(1)})
    refusals = form_refusals(form.model_copy(update={"applicant": applicant}), contest_definition())
    assert codes(refusals) == ["invalid_identifier"]
    assert "IIN" in refusals[0].message


def test_an_invalid_organisation_bin_is_refused() -> None:
    form = worker_form(1)
    applicant = form.applicant.model_copy(update={"organisation_bin": broken(a_bin(7))})
    refusals = form_refusals(form.model_copy(update={"applicant": applicant}), contest_definition())
    assert codes(refusals) == ["invalid_identifier"]
    assert refusals[0].field == "applicant.organisation_bin"


def test_a_valid_organisation_bin_is_accepted() -> None:
    form = worker_form(1)
    applicant = form.applicant.model_copy(update={"organisation_bin": a_bin(7)})
    refusals = form_refusals(form.model_copy(update={"applicant": applicant}), contest_definition())
    assert refusals == []


def test_details_of_the_wrong_kind_are_refused() -> None:
    form = project_form(1, nomination_code=WORKER_NOMINATION)
    refusals = form_refusals(form, contest_definition())
    assert codes(refusals) == ["details_kind_mismatch"]
    assert refusals[0].field == "details.kind"


def test_an_organisation_cannot_apply_in_a_worker_nomination() -> None:
    organisation = Applicant(
        kind=ApplicantKind.ORGANISATION, identifier=a_bin(3), display_name='ТОО "Центр"'
    )
    refusals = form_refusals(worker_form(3, applicant=organisation), contest_definition())
    assert codes(refusals) == ["applicant_kind_mismatch"]
    assert refusals[0].field == "applicant.kind"


def test_a_field_the_nomination_requires_is_missing() -> None:
    definition = requiring(contest_definition(), PROJECT_NOMINATION, "period_end")
    form = project_form(1)
    assert isinstance(form.details, ProjectDetails) and form.details.period_end is None
    refusals = form_refusals(form, definition)
    assert codes(refusals) == ["missing_field"]
    assert refusals[0].field == "details.period_end"


def test_a_blank_required_text_counts_as_missing() -> None:
    form = project_form(1)
    blank = form.details.model_copy(update={"target_group": "   "})
    refusals = form_refusals(form.model_copy(update={"details": blank}), contest_definition())
    assert codes(refusals) == ["missing_field"]
    assert refusals[0].field == "details.target_group"


def test_several_problems_are_all_reported() -> None:
    form = worker_form(1, region_code="KZ-00")
    applicant = form.applicant.model_copy(update={"identifier": broken(an_iin(1))})
    refusals = form_refusals(form.model_copy(update={"applicant": applicant}), contest_definition())
    assert codes(refusals) == ["unknown_region", "invalid_identifier"]


def test_refused_names_its_first_reason_and_joins_the_messages() -> None:
    error = Refused(
        [Refusal(code="a_code", message="first"), Refusal(code="b_code", message="second")]
    )
    assert error.code == "a_code"
    assert str(error) == "first; second"
    single = Refused.of("fixed_fields", "cannot change", "nomination_code")
    assert single.refusals == [
        Refusal(code="fixed_fields", message="cannot change", field="nomination_code")
    ]


# -- draft, submit, edit ------------------------------------------------------------------


def test_a_new_draft_has_revision_zero_and_a_draft_timeline_entry() -> None:
    application = draft()
    assert application.status == ApplicationStatus.DRAFT
    assert application.revision == 0
    assert application.submitted_at is None
    assert [(e.status, e.at) for e in application.timeline] == [(ApplicationStatus.DRAFT, NOW)]


def test_submitting_a_draft_returns_one_submitted_event_with_the_snapshot() -> None:
    application = draft()
    events = application.submit(NOW, demo_definition())
    assert events == [ApplicationSubmitted(application=application.snapshot())]
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.revision == 1
    [event] = events
    assert isinstance(event, ApplicationSubmitted)
    snapshot = event.application
    assert snapshot.application_id == "app-1"
    assert snapshot.contest_id == "contest-1"
    assert snapshot.nomination_code == PROJECT_NOMINATION
    assert snapshot.region_code == ASTANA
    assert snapshot.title == "Спорт для всех 1"
    assert snapshot.submitted_at == NOW


def test_submitting_again_returns_no_events_and_keeps_the_first_submission() -> None:
    application = submitted()
    assert application.submit(LATER, demo_definition()) == []
    assert application.revision == 1
    assert application.submitted_at == NOW


def test_editing_a_draft_returns_no_events() -> None:
    application = draft()
    changed = project_form(1, region_code=ALMATY)
    assert application.edit(changed) == []
    assert application.complete == changed
    assert application.revision == 0


def test_editing_a_submitted_application_returns_an_update_with_revision_two() -> None:
    application = submitted()
    changed = project_form(1, region_code=ALMATY)
    events = application.edit(changed)
    assert events == [ApplicationUpdated(application=application.snapshot(), revision=2)]
    [event] = events
    assert isinstance(event, ApplicationUpdated)
    assert event.application.region_code == ALMATY
    assert application.revision == 2
    assert len(application.edit(project_form(1))) == 1
    assert application.revision == 3


def test_editing_the_nomination_is_refused_as_fixed() -> None:
    application = submitted()
    with pytest.raises(Refused) as caught:
        application.edit(project_form(1, nomination_code="other-project"))
    assert refused_code(caught) == "fixed_fields"
    assert application.complete == project_form(1)
    assert application.revision == 1


def test_editing_the_applicant_identifier_is_refused_as_fixed_once_submitted() -> None:
    application = submitted()
    with pytest.raises(Refused) as caught:
        application.edit(project_form(2))
    assert refused_code(caught) == "fixed_fields"
    assert application.complete == project_form(1)


def test_a_draft_may_correct_its_applicant_identifier_and_moves_its_slot() -> None:
    application = draft()
    assert application.edit(project_form(2)) == []
    assert application.slot == applicant_slot("contest-1", PROJECT_NOMINATION, a_bin(2))


# -- attachments --------------------------------------------------------------------------


def test_attaching_to_a_draft_returns_no_events() -> None:
    application = draft()
    assert application.attach(attachment()) == []
    assert application.attachments == [attachment()]


def test_attaching_and_detaching_after_submission_each_make_a_new_revision() -> None:
    application = submitted()
    [added] = application.attach(attachment())
    assert isinstance(added, ApplicationUpdated)
    assert (added.revision, added.application.attachments) == (2, [attachment()])
    [removed] = application.detach("file-1")
    assert isinstance(removed, ApplicationUpdated)
    assert (removed.revision, removed.application.attachments) == (3, [])


def test_detaching_an_unknown_attachment_is_refused() -> None:
    application = submitted()
    application.attach(attachment())
    with pytest.raises(Refused) as caught:
        application.detach("no-such-file")
    assert refused_code(caught) == "attachment_not_found"
    assert application.revision == 2


# -- withdraw and the slot ----------------------------------------------------------------


def test_the_slot_is_one_per_contest_nomination_and_applicant() -> None:
    first, second = draft(application_id="app-1"), draft(application_id="app-2")
    assert first.slot == second.slot == applicant_slot("contest-1", PROJECT_NOMINATION, a_bin(1))
    assert draft(project_form(2)).slot != first.slot


def test_withdrawing_a_submitted_application_returns_an_event_and_frees_the_slot() -> None:
    application = submitted()
    slot = application.slot
    events = application.withdraw(LATER, "changed my mind")
    assert events == [
        ApplicationWithdrawn(
            application_id="app-1",
            contest_id="contest-1",
            nomination_code=PROJECT_NOMINATION,
            region_code=ASTANA,
            withdrawn_at=LATER,
            reason="changed my mind",
        )
    ]
    assert application.status == ApplicationStatus.WITHDRAWN
    assert application.withdrawn_at == LATER
    assert application.slot != slot
    assert draft(application_id="app-2").slot == slot


def test_withdrawing_a_draft_returns_no_event() -> None:
    application = draft()
    slot = application.slot
    assert application.withdraw(LATER, None) == []
    assert application.status == ApplicationStatus.WITHDRAWN
    assert application.slot != slot


def test_a_withdrawn_application_cannot_be_edited() -> None:
    application = submitted()
    application.withdraw(LATER, None)
    with pytest.raises(Refused) as caught:
        application.edit(project_form(1, region_code=ALMATY))
    assert refused_code(caught) == "not_editable"


def test_a_withdrawn_application_cannot_be_submitted() -> None:
    for application in (submitted(), draft()):
        application.withdraw(LATER, None)
        with pytest.raises(Refused) as caught:
            application.submit(LATER, demo_definition())
        assert refused_code(caught) == "not_submittable"
        assert application.status == ApplicationStatus.WITHDRAWN


def test_a_withdrawn_application_cannot_be_withdrawn_again() -> None:
    application = submitted()
    application.withdraw(LATER, None)
    with pytest.raises(Refused) as caught:
        application.withdraw(LATER, None)
    assert refused_code(caught) == "not_editable"


# -- screening ----------------------------------------------------------------------------


def test_an_ineligible_decision_without_a_reason_is_refused() -> None:
    application = submitted()
    for reason in (None, "", "   "):
        with pytest.raises(Refused) as caught:
            application.screen(ScreeningDecision.INELIGIBLE, reason, PASSED, "secretary-1", LATER)
        assert refused_code(caught) == "reason_required"
        assert caught.value.refusals[0].field == "reason"
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.screening is None


def test_an_eligible_decision_with_failing_checks_is_refused() -> None:
    application = submitted()
    with pytest.raises(Refused) as caught:
        application.screen(ScreeningDecision.ELIGIBLE, None, FAILED, "secretary-1", LATER)
    assert codes(caught.value.refusals) == ["checks_failed"]
    assert "attachments" in caught.value.refusals[0].message
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.screening is None


def test_a_draft_cannot_be_screened() -> None:
    with pytest.raises(Refused) as caught:
        draft().screen(ScreeningDecision.ELIGIBLE, None, PASSED, "secretary-1", LATER)
    assert refused_code(caught) == "not_screenable"


def test_an_eligible_decision_sets_the_status_and_returns_screened() -> None:
    application = submitted()
    events = application.screen(ScreeningDecision.ELIGIBLE, None, PASSED, "secretary-1", LATER)
    assert events == [
        ApplicationScreened(
            application_id="app-1",
            contest_id="contest-1",
            nomination_code=PROJECT_NOMINATION,
            region_code=ASTANA,
            decision=ScreeningDecision.ELIGIBLE,
            reason=None,
            checks=PASSED,
            screened_by="secretary-1",
            screened_at=LATER,
        )
    ]
    assert application.status == ApplicationStatus.ELIGIBLE
    assert application.screening is not None
    assert application.screening.screened_by == "secretary-1"
    assert application.timeline[-1].status == ApplicationStatus.ELIGIBLE


def test_an_ineligible_decision_with_a_reason_may_rest_on_failing_checks() -> None:
    application = submitted()
    [event] = application.screen(
        ScreeningDecision.INELIGIBLE, "no documents", FAILED, "secretary-1", LATER
    )
    assert isinstance(event, ApplicationScreened)
    assert event.decision == ScreeningDecision.INELIGIBLE
    assert application.status == ApplicationStatus.INELIGIBLE
    assert application.timeline[-1].detail == "no documents"


def test_a_screening_decision_may_be_revised() -> None:
    application = submitted()
    application.screen(ScreeningDecision.ELIGIBLE, None, PASSED, "secretary-1", LATER)
    application.screen(ScreeningDecision.INELIGIBLE, "late", PASSED, "secretary-2", LATER)
    assert application.status == ApplicationStatus.INELIGIBLE
    assert application.screening is not None
    assert application.screening.screened_by == "secretary-2"


def test_a_screened_application_cannot_be_edited_and_resubmitting_is_a_no_op() -> None:
    application = submitted()
    application.screen(ScreeningDecision.ELIGIBLE, None, PASSED, "secretary-1", LATER)
    with pytest.raises(Refused) as caught:
        application.edit(project_form(1, region_code=ALMATY))
    assert refused_code(caught) == "not_editable"
    assert application.submit(LATER, demo_definition()) == []
    assert application.status == ApplicationStatus.ELIGIBLE


def test_screening_checks_pass_for_a_valid_application_with_enough_files() -> None:
    application = submitted()
    application.attach(attachment())
    checks = screening_checks(application, contest_definition(attachments_required=1))
    assert [(c.check, c.passed, c.detail) for c in checks] == [
        ("required_fields", True, None),
        ("attachments", True, None),
    ]


def test_screening_checks_report_missing_attachments() -> None:
    application = submitted()
    application.attach(attachment())
    checks = {
        c.check: c
        for c in screening_checks(application, contest_definition(attachments_required=2))
    }
    assert checks["required_fields"].passed
    assert not checks["attachments"].passed
    assert checks["attachments"].detail == "1 of 2 files attached"


def test_screening_checks_report_files_outside_the_limits() -> None:
    application = submitted()
    application.attach(attachment("big", size_bytes=64 * 1024 + 1))
    application.attach(attachment("video", media_type="video/mp4"))
    [_, files] = screening_checks(application, contest_definition())
    assert not files.passed
    assert files.detail == "outside the limits: big.pdf, video.pdf"


def test_screening_checks_report_form_refusals_as_required_fields() -> None:
    application = submitted()
    definition = requiring(contest_definition(), PROJECT_NOMINATION, "period_end")
    [fields, files] = screening_checks(application, definition)
    assert not fields.passed
    assert fields.detail is not None and "period_end" in fields.detail
    assert files.passed


# -- follow and titles --------------------------------------------------------------------


def test_follow_records_a_step_decided_elsewhere() -> None:
    application = submitted()
    assert application.follow(ApplicationStatus.FINALIST, LATER, "event-1", "regional")
    assert application.status == ApplicationStatus.FINALIST
    last = application.timeline[-1]
    assert (last.status, last.at, last.event_id, last.detail) == (
        ApplicationStatus.FINALIST,
        LATER,
        "event-1",
        "regional",
    )


def test_follow_ignores_an_event_seen_before() -> None:
    application = submitted()
    application.follow(ApplicationStatus.FINALIST, LATER, "event-1")
    application.follow(ApplicationStatus.AWARDED, LATER, "event-2", "1st place")
    steps = len(application.timeline)
    assert application.follow(ApplicationStatus.FINALIST, LATER, "event-1") is False
    assert application.status == ApplicationStatus.AWARDED
    assert len(application.timeline) == steps


def test_the_title_of_a_project_is_its_project_title() -> None:
    form = project_form(4)
    assert title_of(form.applicant, form.details) == "Спорт для всех 4"
    assert draft(form).title == "Спорт для всех 4"


def test_the_title_of_a_worker_is_the_name_and_position() -> None:
    form = worker_form(5)
    assert title_of(form.applicant, form.details) == "Айгуль Серикова 5, социальный работник"
    assert draft(form).title == "Айгуль Серикова 5, социальный работник"


def test_a_filing_belongs_to_the_holder_of_its_iin_and_an_api_application_to_its_creator() -> None:
    iin = an_iin(40)
    filed = Application.draft("f-1", "c-1", iin, worker_form(40), NOW, source=FILED)
    assert filed.belongs_to("egov-subject", iin)
    assert not filed.belongs_to("egov-subject", an_iin(41))
    assert not filed.belongs_to("egov-subject", None)
    assert not filed.belongs_to(iin, None)  # a subject that happens to be the number
    created = Application.draft("a-1", "c-1", "aigul", worker_form(40), NOW)
    assert created.belongs_to("aigul", None)
    assert created.belongs_to("aigul", an_iin(41))
    assert not created.belongs_to("someone", iin)  # the IIN typed into it gives nothing
