"""The application form as the contest definition describes it: which fields a nomination's
kind has, of what type and within what limits, and how a posted form becomes the draft
intake takes (and intake's refusals the messages next to their fields).

Pure: no I/O. The fields are intake's (``contest_intake.domain.drafts``); their labels and
help texts are the portal's words (``application_macros.html``), since a definition names
only which of them a nomination requires.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contest_contracts.events.contest import ContestDefinition, FormLimits, Nomination

MOST_FORM_BYTES = 256 * 1024
"""A posted application form: intake takes at most `form_limits.form_bytes` of JSON (32 KiB
by default), which URL-encoded Cyrillic makes about six times as long."""
MOST_FORM_FIELDS = 40

LONG_TEXTS = frozenset({"details.summary", "details.achievements"})
"""Fields held to the long-text limit (intake's rule), shown as a text area."""


@dataclass(frozen=True)
class Field:
    """One field of the form."""

    name: str
    """Dotted path in intake's form, and the HTML field's name (`details.summary`)."""
    kind: str
    """`text`, `long`, `number`, `date`, `email`, `tel`, `identifier`, or `choice`."""
    required: bool
    longest: int | None = None
    """Most characters, for a text."""
    choices: tuple[str, ...] = ()


_APPLICANT = (
    ("applicant.display_name", "text"),
    ("applicant.identifier", "identifier"),
    ("contact.email", "email"),
    ("contact.phone", "tel"),
)
_DETAILS = {
    "worker": (
        ("details.workplace", "text"),
        ("details.position", "text"),
        ("details.years_of_service", "number"),
        ("details.achievements", "long"),
    ),
    "project": (
        ("details.project_title", "text"),
        ("details.summary", "long"),
        ("details.target_group", "text"),
        ("details.beneficiaries_reached", "number"),
        ("details.budget_tenge", "number"),
        ("details.period_start", "date"),
        ("details.period_end", "date"),
    ),
}
_OPTIONAL = frozenset({"details.period_end", "applicant.organisation_bin"})
"""Fields a whole form may leave out, unless the nomination requires them."""


def longest(name: str, limits: FormLimits) -> int:
    """Most characters intake takes in the text ``name``."""
    default = limits.long_text_chars if name in LONG_TEXTS else limits.short_text_chars
    return limits.field_chars.get(name, default)


def fields_of(definition: ContestDefinition, nomination: Nomination) -> list[Field]:
    """The form of ``nomination``: the region, who applies, the contact and its kind's
    details, each required as intake will require it at submission."""
    required_details = {f"details.{name}" for name in nomination.required_fields}
    limits = definition.form_limits
    fields = [
        Field("region_code", "choice", True, choices=tuple(r.code for r in definition.regions))
    ]
    if nomination.kind.value == "project":
        fields.append(
            Field("applicant.kind", "choice", True, choices=("organisation", "individual"))
        )
    for name, kind in (*_APPLICANT, *_DETAILS[nomination.kind.value]):
        text = kind in ("text", "long", "email")
        fields.append(
            Field(
                name,
                kind,
                name not in _OPTIONAL or name in required_details,
                longest(name, limits) if text else None,
            )
        )
    return fields


def draft_of(posted: dict[str, str], nomination: Nomination, language: str) -> dict[str, Any]:
    """The draft intake takes from the posted fields: a blank field is left out (a draft
    may hold any part of the form); a number or a date is passed as typed, for intake to
    refuse next to its field when it is not one."""
    draft: dict[str, Any] = {
        "nomination_code": nomination.code,
        "applicant": {},
        "contact": {"language": language},
        "details": {"kind": nomination.kind.value},
    }
    if nomination.kind.value == "worker":
        draft["applicant"]["kind"] = "individual"
    for name, kind in (
        ("region_code", "choice"),
        ("applicant.kind", "choice"),
        *_APPLICANT,
        *_DETAILS[nomination.kind.value],
    ):
        value = posted.get(name, "").strip()
        if not value:
            continue
        if kind == "tel":
            value = _phone(value)
        if kind == "number" and value.isdigit():
            typed: Any = int(value)
        else:
            typed = value
        if "." in name:
            part, key = name.split(".", 1)
            draft[part][key] = typed
        else:
            draft[name] = typed
    return draft


def _phone(typed: str) -> str:
    """A phone as intake takes it (`+7` and 10 digits), from what people type: spaces,
    dashes and brackets dropped, a leading 8 or 7 read as +7."""
    digits = "".join(c for c in typed if c.isdigit())
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    return f"+7{digits}" if len(digits) == 10 else typed


def entered_of(form: dict[str, Any]) -> dict[str, str]:
    """An application's form (intake's JSON) as the values of the HTML fields."""
    entered: dict[str, str] = {}
    if form.get("region_code"):
        entered["region_code"] = form["region_code"]
    for part in ("applicant", "contact", "details"):
        for key, value in (form.get(part) or {}).items():
            if value is not None and key != "kind":
                entered[f"{part}.{key}"] = str(value)
    applicant_kind = (form.get("applicant") or {}).get("kind")
    if applicant_kind:
        entered["applicant.kind"] = applicant_kind
    phone = entered.get("contact.phone", "")
    if phone.startswith("+7"):
        entered["contact.phone"] = phone[2:]
    return entered


def field_errors(errors: list[dict[str, Any]], known: set[str]) -> tuple[dict[str, str], list[str]]:
    """Intake's field errors as (the code of each field's first error by field name, the
    codes of the errors that name no field of the form)."""
    by_field: dict[str, str] = {}
    other: list[str] = []
    for error in errors:
        location = [str(part) for part in error.get("location", [])]
        # pydantic names the tag of a tagged union (`details.worker.position`): not a field
        location = [p for p in location if p not in ("body", "worker", "project")]
        name = ".".join(location)
        while name and name not in known:
            name = name.rpartition(".")[0]
        code = str(error.get("kind") or "refused")
        if name:
            by_field.setdefault(name, code)
        else:
            other.append(code)
    return by_field, other
