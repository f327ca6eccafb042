"""What an application form must be, and how a refusal of the rules is told.

Pure logic: the form is checked against the contest definition, and every rule that is
broken becomes one ``Refusal`` with a stable code (the HTTP API and the ministry's answers
use the same codes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from contest_contracts.common import ApplicantKind, Code, NominationKind
from contest_contracts.events.applications import (
    Applicant,
    ApplicationDetails,
    Contact,
    ProjectDetails,
)
from contest_contracts.events.contest import ContestDefinition, FormLimits
from contest_intake.domain.disclosure import (
    LONG_PUBLIC_FIELDS,
    SHORT_PUBLIC_FIELDS,
    fields_disclosing,
)
from contest_intake.domain.identifiers import InvalidIdentifier, validate_bin, validate_iin

KAZAKHSTAN_TIME = timezone(timedelta(hours=5), "Asia/Almaty")
"""Kazakhstan's one time zone (UTC+5 all year since March 2024): whose "today" an IIN's
birth date is compared with."""


class Refusal(BaseModel):
    """One reason an application or a change to it is refused."""

    code: str = Field(description="Stable code, e.g. `invalid_identifier`.")
    message: str = Field(description="What is wrong, for people.")
    field: str | None = Field(default=None, description="Dotted path of the field, if any.")


class Refused(ValueError):
    """A change the rules do not allow; ``refusals`` says why (at least one)."""

    def __init__(self, refusals: list[Refusal]) -> None:
        super().__init__("; ".join(r.message for r in refusals))
        self.refusals = refusals

    @classmethod
    def of(cls, code: str, message: str, field: str | None = None) -> Refused:
        """A refusal with a single reason."""
        return cls([Refusal(code=code, message=message, field=field)])

    @property
    def code(self) -> str:
        """The code of the first reason (the one an HTTP answer is named after)."""
        return self.refusals[0].code


class ApplicationForm(BaseModel):
    """What an applicant fills in (the same through the API and from the ministry)."""

    model_config = ConfigDict(extra="forbid")

    nomination_code: Code = Field(description="Nomination applied to.")
    region_code: Code = Field(description="Region whose commission judges it.")
    applicant: Applicant = Field(description="Who applies: IIN of a person or BIN.")
    contact: Contact = Field(description="Email, phone (+7, E.164) and language.")
    details: ApplicationDetails = Field(description="Fields of the nomination's kind.")


def form_refusals(form: ApplicationForm, definition: ContestDefinition) -> list[Refusal]:
    """Everything that makes ``form`` unacceptable in the contest ``definition``."""
    refusals = limit_refusals(form, definition.form_limits)
    refusals += [
        Refusal(
            code="personal_data_in_public_field",
            message=f"{field} is shown publicly: it must not hold an IIN, BIN, phone or email",
            field=field,
        )
        for field in fields_disclosing(public_texts(form), SHORT_PUBLIC_FIELDS)
    ]
    nominations = {n.code: n for n in definition.nominations}
    nomination = nominations.get(form.nomination_code)
    if nomination is None:
        refusals.append(
            Refusal(
                code="unknown_nomination",
                message=f"no nomination {form.nomination_code!r} in {definition.contest_id}",
                field="nomination_code",
            )
        )
    if form.region_code not in {r.code for r in definition.regions}:
        refusals.append(
            Refusal(
                code="unknown_region",
                message=f"no region {form.region_code!r} in {definition.contest_id}",
                field="region_code",
            )
        )
    refusals += _identifier_refusals(form.applicant)
    if nomination is None:
        return refusals
    if form.details.kind != nomination.kind.value:
        refusals.append(
            Refusal(
                code="details_kind_mismatch",
                message=f"{nomination.code} takes {nomination.kind.value} details",
                field="details.kind",
            )
        )
        return refusals
    if nomination.kind is NominationKind.WORKER and form.applicant.kind != ApplicantKind.INDIVIDUAL:
        refusals.append(
            Refusal(
                code="applicant_kind_mismatch",
                message="a worker nomination is applied for by the worker (an individual, IIN)",
                field="applicant.kind",
            )
        )
    details = form.details.model_dump()
    for name in nomination.required_fields:
        value = details.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            refusals.append(
                Refusal(
                    code="missing_field",
                    message=f"{name} is required in {nomination.code}",
                    field=f"details.{name}",
                )
            )
    return refusals


LONG_TEXTS = frozenset({"details.summary", "details.achievements"})
"""Fields held to the long-text limit; every other text of a form is held to the short one."""


def public_texts(form: BaseModel) -> dict[str, str]:
    """Every text of ``form`` by its dotted field path (``details.summary``...)."""
    return dict(_texts(form.model_dump(mode="json")))


def disclosure_notices(form: BaseModel) -> list[Refusal]:
    """What the applicant is told about personal data found in the long public texts: it is
    accepted, and shown to the public masked."""
    return [
        Refusal(
            code="personal_data_hidden",
            message=f"{field} is shown publicly with the IIN, BIN, phone or email in it hidden",
            field=field,
        )
        for field in fields_disclosing(public_texts(form), LONG_PUBLIC_FIELDS)
    ]


def limit_refusals(form: ApplicationForm, limits: FormLimits) -> list[Refusal]:
    """Every text of ``form`` longer than ``limits`` allow (one refusal per field), and the
    whole form when it is larger than they allow.

    Every text is held to a limit, a field added to the form later too (to the short one):
    the form travels whole in the application's events, which a broker takes only up to a
    size, so an unbounded field is an application that could be stored and never published.
    """
    refusals = []
    for field, text in _texts(form.model_dump(mode="json")):
        default = limits.long_text_chars if field in LONG_TEXTS else limits.short_text_chars
        longest = limits.field_chars.get(field, default)
        if len(text) > longest:
            refusals.append(
                Refusal(
                    code="text_too_long",
                    message=f"{field} has {len(text)} characters; at most {longest} are accepted",
                    field=field,
                )
            )
    size = len(form.model_dump_json().encode())
    if size > limits.form_bytes:
        refusals.append(
            Refusal(
                code="form_too_large",
                message=f"the form is {size} bytes as JSON; at most {limits.form_bytes} "
                "are accepted",
            )
        )
    return refusals


def _texts(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """The dotted name and value of every text in a form's JSON."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _texts(item, f"{path}.{name}" if path else name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, f"{path}.{index}")


def attachment_refusals(filename: str, attached: int, limits: FormLimits) -> list[Refusal]:
    """What keeps one more file from an application that holds ``attached`` files."""
    refusals = []
    if len(filename) > limits.short_text_chars:
        refusals.append(
            Refusal(
                code="text_too_long",
                message=f"the file name has {len(filename)} characters; at most "
                f"{limits.short_text_chars} are accepted",
                field="filename",
            )
        )
    if attached >= limits.attachments:
        refusals.append(
            Refusal(
                code="too_many_attachments",
                message=f"an application holds at most {limits.attachments} files",
            )
        )
    return refusals


def _identifier_refusals(applicant: Applicant) -> list[Refusal]:
    # The day in Kazakhstan, read here rather than passed in: the forms' rules are called
    # from many places, and a birth date is compared with nothing but the calendar.
    today = datetime.now(KAZAKHSTAN_TIME).date()
    person: Callable[[str], str] = partial(validate_iin, today=today)
    checks = [
        (
            "applicant.identifier",
            person if applicant.kind == ApplicantKind.INDIVIDUAL else validate_bin,
            applicant.identifier,
        )
    ]
    if applicant.organisation_bin is not None:
        checks.append(("applicant.organisation_bin", validate_bin, applicant.organisation_bin))
    refusals = []
    for field, validate, value in checks:
        try:
            validate(value)
        except InvalidIdentifier as error:
            refusals.append(Refusal(code=error.code, message=str(error), field=field))
    return refusals


def applicant_slot(contest_id: str, nomination_code: str, identifier: str) -> str:
    """The key that makes one application per applicant, nomination and contest."""
    return f"{contest_id}/{nomination_code}/{identifier}"


def title_of(applicant: Applicant, details: ApplicationDetails) -> str:
    """The public title: a project's title, or a worker's name and position."""
    if isinstance(details, ProjectDetails):
        return details.project_title
    return f"{applicant.display_name}, {details.position}"
