"""Applications: submitted, updated, withdrawn and screened.

These events carry personal data (IIN/BIN, contact): they travel only on restricted topics.
Public topics get finalists and results, which carry display names and titles only.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Discriminator, EmailStr, Field, Tag

from contest_contracts.common import (
    ApplicantKind,
    Code,
    ContractModel,
    EntityId,
    Language,
    Tenge,
    UtcDateTime,
)
from contest_contracts.envelope import EventData

TwelveDigits = Annotated[str, Field(pattern=r"^\d{12}$", description="IIN or BIN: 12 digits.")]
PhoneE164 = Annotated[str, Field(pattern=r"^\+7\d{10}$", description="Kazakhstan phone, E.164.")]


class Applicant(ContractModel):
    """Who applies: a person (IIN) or an organisation (BIN)."""

    kind: ApplicantKind = Field(description="Individual or organisation.")
    identifier: TwelveDigits = Field(description="IIN of a person or BIN of an organisation.")
    display_name: str = Field(min_length=1, description="Full name or organisation name.")
    organisation_bin: TwelveDigits | None = Field(
        default=None,
        description="BIN of the employing organisation of a person (used for juror conflicts).",
    )


class Contact(ContractModel):
    """How to reach an applicant."""

    email: EmailStr = Field(description="Contact email.")
    phone: PhoneE164 = Field(description="Contact phone, +7 and 10 digits.")
    language: Language = Field(default=Language.RU, description="Preferred language.")


class WorkerDetails(ContractModel):
    """Fields of an application in a worker nomination."""

    kind: Literal["worker"] = Field(default="worker", description="Discriminator.")
    workplace: str = Field(min_length=1, description="Organisation the worker works for.")
    position: str = Field(min_length=1, description="Position held.")
    years_of_service: int = Field(ge=0, le=70, description="Years in the social protection system.")
    achievements: str = Field(min_length=1, description="Achievements in the worker's words.")


class ProjectDetails(ContractModel):
    """Fields of an application in a project nomination."""

    kind: Literal["project"] = Field(default="project", description="Discriminator.")
    project_title: str = Field(min_length=1, description="Project title.")
    summary: str = Field(min_length=1, description="What the project does.")
    target_group: str = Field(min_length=1, description="Who the project serves.")
    beneficiaries_reached: int = Field(ge=0, description="People the project has reached.")
    budget_tenge: Tenge = Field(description="Project budget, tenge.")
    period_start: date = Field(description="First day of the project.")
    period_end: date | None = Field(default=None, description="Last day; absent if ongoing.")


_REQUIRED_BY_KIND = {
    "worker": frozenset(
        name for name, field in WorkerDetails.model_fields.items() if field.is_required()
    ),
    "project": frozenset(
        name for name, field in ProjectDetails.model_fields.items() if field.is_required()
    ),
}


def details_kind(value: Any) -> str | None:
    """Which variant a details record is: its ``kind``; without one (the schema gives
    ``kind`` a default, so a producer may leave it out), the variant whose required fields
    it has, as the schema's ``oneOf`` decides; failing that, the variant it has more
    required fields of, so that its errors name the fields it lacks."""
    if not isinstance(value, dict):
        return getattr(value, "kind", None)
    kind = value.get("kind")
    if kind is not None:
        return kind if isinstance(kind, str) else repr(kind)
    present = {
        name: len(required & value.keys()) / len(required)
        for name, required in _REQUIRED_BY_KIND.items()
    }
    best = max(present.values())
    chosen = [name for name, share in present.items() if share == best]
    return chosen[0] if best > 0 and len(chosen) == 1 else None


ApplicationDetails = Annotated[
    Annotated[WorkerDetails, Tag("worker")] | Annotated[ProjectDetails, Tag("project")],
    Discriminator(
        details_kind,
        custom_error_type="details_kind_unknown",
        custom_error_message=(
            "`kind` must be `worker` or `project`, or be left out with a worker's or "
            "a project's fields"
        ),
    ),
]
"""A worker's or a project's fields, told apart by ``kind`` or, when it is left out, by
the fields present (see ``details_kind``)."""


class AttachmentRef(ContractModel):
    """A file attached to an application (the bytes stay in intake's store)."""

    attachment_id: EntityId = Field(description="Attachment id.")
    filename: str = Field(description="Original file name.")
    media_type: str = Field(description="Media type, e.g. `application/pdf`.")
    size_bytes: int = Field(ge=0, description="Size in bytes.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the bytes, hex.")


class ApplicationSnapshot(ContractModel):
    """The whole current content of a submitted application."""

    application_id: EntityId = Field(description="Application id.")
    contest_id: EntityId = Field(description="Contest the application is in.")
    nomination_code: Code = Field(description="Nomination applied to.")
    region_code: Code = Field(description="Region whose commission judges it.")
    applicant: Applicant = Field(description="The applicant.")
    contact: Contact = Field(description="The applicant's contact.")
    title: str = Field(description="Public title: project title, or worker name and position.")
    details: ApplicationDetails = Field(description="Nomination-specific fields.")
    attachments: list[AttachmentRef] = Field(default_factory=list, description="Attached files.")
    submitted_at: UtcDateTime = Field(description="When it was (first) submitted.")


class ApplicationSubmitted(EventData):
    """An application was submitted (left draft) before the deadline."""

    event_type: ClassVar[str] = "kz.contest.application.submitted"

    application: ApplicationSnapshot = Field(description="The application as submitted.")


class ApplicationUpdated(EventData):
    """A submitted application was changed before the deadline. Carries the whole new content."""

    event_type: ClassVar[str] = "kz.contest.application.updated"

    application: ApplicationSnapshot = Field(description="The application after the change.")
    revision: int = Field(ge=2, description="Revision after the change; higher is newer.")


class ApplicationWithdrawn(EventData):
    """The applicant withdrew a submitted application before the deadline."""

    event_type: ClassVar[str] = "kz.contest.application.withdrawn"

    application_id: EntityId = Field(description="Application id.")
    contest_id: EntityId = Field(description="Contest id.")
    nomination_code: Code = Field(description="Nomination.")
    region_code: Code = Field(description="Region.")
    withdrawn_at: UtcDateTime = Field(description="When it was withdrawn.")
    reason: str | None = Field(default=None, description="Reason given by the applicant.")


class ScreeningDecision(StrEnum):
    """Outcome of screening."""

    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"


class ScreeningCheck(ContractModel):
    """One automatic check and its outcome."""

    check: Code = Field(description="Check code, e.g. `required_fields`.")
    passed: bool = Field(description="Whether it passed.")
    detail: str | None = Field(default=None, description="What failed, when it failed.")


class ApplicationScreened(EventData):
    """A secretary decided whether an application is eligible for judging."""

    event_type: ClassVar[str] = "kz.contest.application.screened"

    application_id: EntityId = Field(description="Application id.")
    contest_id: EntityId = Field(description="Contest id.")
    nomination_code: Code = Field(description="Nomination.")
    region_code: Code = Field(description="Region.")
    decision: ScreeningDecision = Field(description="Eligible or ineligible.")
    reason: str | None = Field(default=None, description="Why ineligible (required then).")
    checks: list[ScreeningCheck] = Field(default_factory=list, description="Automatic checks.")
    screened_by: EntityId = Field(description="Secretary who decided.")
    screened_at: UtcDateTime = Field(description="When the decision was recorded.")
