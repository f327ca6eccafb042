"""Drafts: an application form filled in part, and what keeps one from being submitted.

A draft may hold any subset of the form's fields, each still of its type and within its
limits (an IIN of 12 digits, a `+7` phone, a text within the definition's length). Only
its nomination is always named: it decides which fields the form has. Submission is where
completeness is checked: every field the kind of the nomination requires, and the
definition's ``required_fields``, one refusal per missing field.

Pure logic: no I/O.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError

from contest_contracts.common import ApplicantKind, Code, Language, Tenge
from contest_contracts.events.applications import PhoneE164, TwelveDigits
from contest_contracts.events.contest import ContestDefinition
from contest_intake.domain.forms import ApplicationForm, Refusal, Refused, form_refusals

Text = Annotated[str, Field(min_length=1)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DraftApplicant(_Part):
    """Who applies, as far as the draft says."""

    kind: ApplicantKind | None = Field(default=None, description="Individual or organisation.")
    identifier: TwelveDigits | None = Field(default=None, description="IIN or BIN.")
    display_name: Text | None = Field(default=None, description="Full or organisation name.")
    organisation_bin: TwelveDigits | None = Field(
        default=None, description="BIN of the employing organisation of a person."
    )


class DraftContact(_Part):
    """How to reach the applicant, as far as the draft says."""

    email: EmailStr | None = Field(default=None, description="Contact email.")
    phone: PhoneE164 | None = Field(default=None, description="Contact phone, +7 and 10 digits.")
    language: Language = Field(default=Language.RU, description="Preferred language.")


class DraftWorkerDetails(_Part):
    """A worker nomination's fields, as far as the draft says."""

    kind: Literal["worker"] = Field(default="worker", description="Discriminator.")
    workplace: Text | None = None
    position: Text | None = None
    years_of_service: Annotated[int, Field(ge=0, le=70)] | None = None
    achievements: Text | None = None


class DraftProjectDetails(_Part):
    """A project nomination's fields, as far as the draft says."""

    kind: Literal["project"] = Field(default="project", description="Discriminator.")
    project_title: Text | None = None
    summary: Text | None = None
    target_group: Text | None = None
    beneficiaries_reached: Annotated[int, Field(ge=0)] | None = None
    budget_tenge: Tenge | None = None
    period_start: date | None = None
    period_end: date | None = None


DraftDetails = Annotated[DraftWorkerDetails | DraftProjectDetails, Field(discriminator="kind")]


class DraftForm(_Part):
    """An application form, complete or not (``ApplicationForm`` is the complete one)."""

    nomination_code: Code = Field(description="Nomination applied to (it decides the form).")
    region_code: Code | None = Field(default=None, description="Region whose commission judges.")
    applicant: DraftApplicant = Field(default_factory=DraftApplicant, description="Who applies.")
    contact: DraftContact = Field(default_factory=DraftContact, description="Contact.")
    details: DraftDetails | None = Field(default=None, description="The nomination's fields.")


def as_draft(form: ApplicationForm | DraftForm) -> DraftForm:
    """Any form as a draft (a complete form is a draft with every field)."""
    if isinstance(form, DraftForm):
        return form
    return DraftForm.model_validate(form.model_dump())


def draft_refusals(form: DraftForm, definition: ContestDefinition) -> list[Refusal]:
    """Everything that makes the fields ``form`` holds unacceptable in ``definition``; a
    field it does not hold is no reason (it is one at submission)."""
    refusals = form_refusals(_stand_in(form, definition), definition)
    held = _held(form)
    return [
        r for r in refusals if r.code != "missing_field" and (r.field is None or r.field in held)
    ]


def missing_refusals(form: DraftForm, definition: ContestDefinition) -> list[Refusal]:
    """One ``missing_field`` per field the complete form needs and ``form`` lacks."""
    nomination = next((n for n in definition.nominations if n.code == form.nomination_code), None)
    data = form.model_dump(mode="json", exclude_none=True)
    if nomination is not None and form.details is None:
        data["details"] = {"kind": nomination.kind.value}
    missing: list[str] = []
    try:
        ApplicationForm.model_validate(data)
    except ValidationError as error:
        missing = [
            ".".join(str(part) for part in e["loc"] if not _is_tag(part))
            for e in error.errors()
            if e["type"] == "missing"
        ]
    if nomination is not None:
        held = _held(form)
        missing += [
            f"details.{name}"
            for name in nomination.required_fields
            if f"details.{name}" not in held and f"details.{name}" not in missing
        ]
    return [
        Refusal(code="missing_field", message=f"{field} is required to submit", field=field)
        for field in missing
    ]


def completed(form: DraftForm, definition: ContestDefinition) -> ApplicationForm:
    """``form`` as a complete application form; refused with every missing field, or with
    what the complete form breaks."""
    missing = missing_refusals(form, definition)
    if missing:
        raise Refused(missing)
    complete = ApplicationForm.model_validate(form.model_dump(mode="json", exclude_none=True))
    refusals = form_refusals(complete, definition)
    if refusals:
        raise Refused(refusals)
    return complete


def _is_tag(part: Any) -> bool:
    """A discriminator's tag in an error's location (``details.worker.position``)."""
    return part in ("worker", "project")


def _held(form: DraftForm) -> set[str]:
    """Dotted names of the fields ``form`` holds (blank texts count as not held)."""
    held: set[str] = set()

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for name, item in value.items():
                walk(item, f"{path}.{name}" if path else name)
        elif value is not None and not (isinstance(value, str) and not value.strip()):
            held.add(path)

    walk(form.model_dump(mode="json", exclude_none=True), "")
    return held


_FILLER_IIN = "000000000000"


def _stand_in(form: DraftForm, definition: ContestDefinition) -> ApplicationForm:
    """A complete form with ``form``'s fields and fillers for the rest, so that the complete
    form's rules run on what the draft holds; refusals of the fillers are dropped by the
    caller (they concern fields the draft does not hold)."""
    nomination = next((n for n in definition.nominations if n.code == form.nomination_code), None)
    kind = (
        form.details.kind if form.details else (nomination.kind.value if nomination else "project")
    )
    fillers: dict[str, Any] = {
        "worker": {"workplace": "-", "position": "-", "years_of_service": 0, "achievements": "-"},
        "project": {
            "project_title": "-",
            "summary": "-",
            "target_group": "-",
            "beneficiaries_reached": 0,
            "budget_tenge": 0,
            "period_start": "2000-01-01",
        },
    }
    data = form.model_dump(mode="json", exclude_none=True)
    details = {"kind": kind, **fillers[kind], **data.get("details", {})}
    applicant = {
        "kind": ApplicantKind.INDIVIDUAL.value if kind == "worker" else "organisation",
        "identifier": _FILLER_IIN,
        "display_name": "-",
        **data["applicant"],
    }
    contact = {"email": "draft@example.org", "phone": "+70000000000", **data["contact"]}
    return ApplicationForm.model_validate(
        {
            "nomination_code": form.nomination_code,
            "region_code": data.get("region_code", definition.regions[0].code),
            "applicant": applicant,
            "contact": contact,
            "details": details,
        }
    )
