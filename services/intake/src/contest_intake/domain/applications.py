"""Applications: what a valid one is, and how one moves from draft to award.

Pure logic: no I/O. Each change returns the events it causes; the store writes them with
the application in one document (the outbox), so a change and its events never diverge.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from contest_contracts.common import EntityId, UtcDateTime
from contest_contracts.envelope import EventData
from contest_contracts.events.applications import (
    ApplicationScreened,
    ApplicationSnapshot,
    ApplicationSubmitted,
    ApplicationUpdated,
    ApplicationWithdrawn,
    AttachmentRef,
    ScreeningCheck,
    ScreeningDecision,
)
from contest_contracts.events.contest import ContestDefinition
from contest_intake.domain.drafts import DraftForm, as_draft, completed
from contest_intake.domain.forms import (
    ApplicationForm,
    Refusal,
    Refused,
    applicant_slot,
    disclosure_notices,
    form_refusals,
    title_of,
)


class ApplicationStatus(StrEnum):
    """Where an application is in the contest."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    FINALIST = "finalist"
    NOT_SELECTED = "not_selected"
    AWARDED = "awarded"
    NOT_AWARDED = "not_awarded"


FILED = "ministry"
"""The ``source`` of an application the ministry filed on the applicant's behalf."""

EDITABLE = frozenset({ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED})
"""An applicant may change an application only before screening decided on it."""
SCREENABLE = frozenset(
    {ApplicationStatus.SUBMITTED, ApplicationStatus.ELIGIBLE, ApplicationStatus.INELIGIBLE}
)
IN_COMPETITION = frozenset(
    {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.ELIGIBLE,
        ApplicationStatus.FINALIST,
        ApplicationStatus.NOT_SELECTED,
        ApplicationStatus.AWARDED,
        ApplicationStatus.NOT_AWARDED,
    }
)
"""Submitted and neither withdrawn nor found ineligible: counted, and shown in the gallery."""


class Screening(BaseModel):
    """A secretary's decision with the automatic checks it was made on."""

    decision: ScreeningDecision
    reason: str | None = None
    checks: list[ScreeningCheck]
    screened_by: str
    screened_at: UtcDateTime


class TimelineEntry(BaseModel):
    """One step of an application's history, as its applicant sees it."""

    status: ApplicationStatus = Field(description="Status reached.")
    at: UtcDateTime = Field(description="When.")
    detail: str | None = Field(default=None, description="e.g. the place won.")
    event_id: str | None = Field(default=None, description="Event that moved it, if any.")


class Application(BaseModel):
    """The application aggregate."""

    application_id: EntityId
    contest_id: EntityId
    owner: str = Field(
        description="Subject of the token that created it. For a ministry filing the "
        "applicant's IIN/BIN: such an application is the applicant's by the IIN/BIN claim "
        "of their token, never by its subject."
    )
    source: str = Field(description="`api` or `ministry` (`FILED`).")
    form: DraftForm = Field(
        description="What the applicant filled in: any part of the form while a draft, the "
        "whole form once submitted."
    )
    status: ApplicationStatus = ApplicationStatus.DRAFT
    revision: int = Field(default=0, description="0 while draft, 1 when submitted, +1 per change.")
    attachments: list[AttachmentRef] = Field(default_factory=list)
    created_at: UtcDateTime
    submitted_at: UtcDateTime | None = None
    withdrawn_at: UtcDateTime | None = None
    screening: Screening | None = None
    timeline: list[TimelineEntry] = Field(default_factory=list)
    public_notices: list[Refusal] = Field(
        default_factory=list,
        description="Public texts in which an IIN, BIN, phone or email was found: the public "
        "sees them with it hidden (`personal_data_hidden`, per field). Found when the form "
        "is written.",
    )

    @classmethod
    def draft(
        cls,
        application_id: str,
        contest_id: str,
        owner: str,
        form: ApplicationForm | DraftForm,
        now: datetime,
        source: str = "api",
    ) -> Application:
        """A new draft; the form must already be checked against the definition."""
        form = as_draft(form)
        return cls(
            application_id=application_id,
            contest_id=contest_id,
            owner=owner,
            source=source,
            form=form,
            public_notices=disclosure_notices(form),
            created_at=now,
            timeline=[TimelineEntry(status=ApplicationStatus.DRAFT, at=now)],
        )

    @property
    def slot(self) -> str:
        """One application per applicant, nomination and contest (free again once withdrawn)."""
        if self.status == ApplicationStatus.WITHDRAWN:
            return f"withdrawn/{self.application_id}"
        if self.form.applicant.identifier is None:
            # A draft that names no applicant yet takes no place; it does once it names one.
            return f"unnamed/{self.application_id}"
        return applicant_slot(
            self.contest_id, self.form.nomination_code, self.form.applicant.identifier
        )

    def belongs_to(self, subject: str, iin_bin: str | None) -> bool:
        """Whether the caller of token ``subject`` with IIN/BIN claim ``iin_bin`` is its
        applicant.

        An application created through the API is its creator's (the token's subject). One
        the ministry filed is the applicant's it names: their token's IIN/BIN (eGov's claim)
        equals the application's identifier; a token without the claim, or whose subject
        happens to be that number, owns it not. Only filings are matched by the number: the
        ministry vouches for the identifier of a filing, while the identifier of an API
        application is what its creator typed, and matching it would hand their application
        (and their contacts) to whoever holds that number.
        """
        if self.source == FILED:
            return iin_bin is not None and iin_bin == self.form.applicant.identifier
        return subject == self.owner

    @property
    def complete(self) -> ApplicationForm:
        """The whole form of an application that left draft (it was complete to leave it)."""
        return ApplicationForm.model_validate(self.form.model_dump(mode="json", exclude_none=True))

    @property
    def title(self) -> str:
        """Public title (of a submitted application)."""
        form = self.complete
        return title_of(form.applicant, form.details)

    def snapshot(self) -> ApplicationSnapshot:
        """The contract view of a submitted application."""
        assert self.submitted_at is not None, "only submitted applications have snapshots"
        form = self.complete
        return ApplicationSnapshot(
            application_id=self.application_id,
            contest_id=self.contest_id,
            nomination_code=form.nomination_code,
            region_code=form.region_code,
            applicant=form.applicant,
            contact=form.contact,
            title=title_of(form.applicant, form.details),
            details=form.details,
            attachments=self.attachments,
            submitted_at=self.submitted_at,
        )

    def _require_editable(self) -> None:
        if self.status not in EDITABLE:
            raise Refused.of(
                "not_editable", f"an application that is {self.status.value} cannot change"
            )

    def _changed(self) -> list[EventData]:
        """The event a change causes: none for a draft, a new revision once submitted."""
        if self.status == ApplicationStatus.DRAFT:
            return []
        self.revision += 1
        return [ApplicationUpdated(application=self.snapshot(), revision=self.revision)]

    def edit(self, form: ApplicationForm | DraftForm) -> list[EventData]:
        """Replace the form. The nomination is fixed (it decides the form), and so is the
        applicant once submitted (the slot is taken); a submitted form stays complete (the
        caller checks it, ``drafts.completed``)."""
        self._require_editable()
        form = as_draft(form)
        fixed_identifier = self.status != ApplicationStatus.DRAFT
        if form.nomination_code != self.form.nomination_code or (
            fixed_identifier and form.applicant.identifier != self.form.applicant.identifier
        ):
            raise Refused.of(
                "fixed_fields",
                "nomination and applicant identifier cannot change; withdraw and apply again",
            )
        self.form = form
        self.public_notices = disclosure_notices(form)
        return self._changed()

    def attach(self, attachment: AttachmentRef) -> list[EventData]:
        """Add a file."""
        self._require_editable()
        self.attachments = [*self.attachments, attachment]
        return self._changed()

    def detach(self, attachment_id: str) -> list[EventData]:
        """Remove a file."""
        self._require_editable()
        remaining = [a for a in self.attachments if a.attachment_id != attachment_id]
        if len(remaining) == len(self.attachments):
            raise Refused.of("attachment_not_found", "no such attachment")
        self.attachments = remaining
        return self._changed()

    def submit(self, now: datetime, definition: ContestDefinition) -> list[EventData]:
        """Leave draft with a complete form (refused with one ``missing_field`` per field it
        lacks); submitting again is a no-op (the same result, no event)."""
        if self.status != ApplicationStatus.DRAFT:
            if self.submitted_at is not None and self.status != ApplicationStatus.WITHDRAWN:
                return []
            raise Refused.of(
                "not_submittable", f"an application that is {self.status.value} cannot be submitted"
            )
        self.form = as_draft(completed(self.form, definition))
        self.status = ApplicationStatus.SUBMITTED
        self.submitted_at = now
        self.revision = 1
        self.timeline.append(TimelineEntry(status=self.status, at=now))
        return [ApplicationSubmitted(application=self.snapshot())]

    def withdraw(self, now: datetime, reason: str | None) -> list[EventData]:
        """Withdraw before the deadline; a draft is withdrawn without an event."""
        self._require_editable()
        was_submitted = self.status == ApplicationStatus.SUBMITTED
        self.status = ApplicationStatus.WITHDRAWN
        self.withdrawn_at = now
        self.timeline.append(TimelineEntry(status=self.status, at=now, detail=reason))
        if not was_submitted:
            return []
        return [
            ApplicationWithdrawn(
                application_id=self.application_id,
                contest_id=self.contest_id,
                nomination_code=self.form.nomination_code,
                region_code=self.form.region_code,
                withdrawn_at=now,
                reason=reason,
            )
        ]

    def screen(
        self,
        decision: ScreeningDecision,
        reason: str | None,
        checks: list[ScreeningCheck],
        by: str,
        now: datetime,
    ) -> list[EventData]:
        """Record a secretary's decision (it may be revised until judging starts)."""
        if self.status not in SCREENABLE:
            raise Refused.of(
                "not_screenable", f"an application that is {self.status.value} cannot be screened"
            )
        if decision == ScreeningDecision.INELIGIBLE and not (reason and reason.strip()):
            raise Refused.of("reason_required", "an ineligible decision needs a reason", "reason")
        failed = [c for c in checks if not c.passed]
        if decision == ScreeningDecision.ELIGIBLE and failed:
            raise Refused(
                [
                    Refusal(code="checks_failed", message=f"{c.check}: {c.detail}", field=None)
                    for c in failed
                ]
            )
        self.screening = Screening(
            decision=decision, reason=reason, checks=checks, screened_by=by, screened_at=now
        )
        self.status = (
            ApplicationStatus.ELIGIBLE
            if decision == ScreeningDecision.ELIGIBLE
            else ApplicationStatus.INELIGIBLE
        )
        self.timeline.append(TimelineEntry(status=self.status, at=now, detail=reason))
        return [
            ApplicationScreened(
                application_id=self.application_id,
                contest_id=self.contest_id,
                nomination_code=self.form.nomination_code,
                region_code=self.form.region_code,
                decision=decision,
                reason=reason,
                checks=checks,
                screened_by=by,
                screened_at=now,
            )
        ]

    def follow(
        self, status: ApplicationStatus, at: datetime, event_id: str, detail: str | None = None
    ) -> bool:
        """Record a step decided by another service; returns False for an event seen before
        and for a repeated announcement of the same step (e.g. a republished finalist list)."""
        if any(entry.event_id == event_id for entry in self.timeline):
            return False
        if self.status == status and self.timeline and self.timeline[-1].detail == detail:
            return False
        self.status = status
        self.timeline.append(TimelineEntry(status=status, at=at, detail=detail, event_id=event_id))
        return True


def screening_checks(
    application: Application, definition: ContestDefinition
) -> list[ScreeningCheck]:
    """The automatic checks a secretary's decision rests on (on a submitted application)."""
    refusals = form_refusals(application.complete, definition)
    rules = definition.attachments
    wanted = rules.required_per_application
    unacceptable = [
        a.filename
        for a in application.attachments
        if a.media_type not in rules.media_types or a.size_bytes > rules.max_bytes
    ]
    attachment_problems = []
    if len(application.attachments) < wanted:
        attachment_problems.append(f"{len(application.attachments)} of {wanted} files attached")
    if unacceptable:
        attachment_problems.append(f"outside the limits: {', '.join(unacceptable)}")
    return [
        ScreeningCheck(
            check="required_fields",
            passed=not refusals,
            detail="; ".join(r.message for r in refusals) or None,
        ),
        ScreeningCheck(
            check="attachments",
            passed=not attachment_problems,
            detail="; ".join(attachment_problems) or None,
        ),
    ]
