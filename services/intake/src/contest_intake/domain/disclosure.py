"""Personal data written into the public fields of an application.

Some of what an applicant writes is shown to everyone: the gallery shows a project's title,
author, summary and target group; finalists and results carry the title and the
applicant's public name. Applicants sometimes write their phone, email or IIN there ("call
me at +7 701 ..."). Such text is found here: an IIN or BIN (12 digits whose check digit is
right), a phone number that is valid in Kazakhstan's numbering plan, an email address.

- The short public fields (the name, a project's title, a worker's position) are refused
  when they hold any: a name or title has no room for contacts, and refusing tells the
  applicant at once.
- The long public texts (a project's summary and target group) are accepted, the applicant
  is told which of them will be shown with the found data hidden, and the gallery shows
  them masked.

What is guaranteed is what these detectors find; contacts spelt out in words ("seven seven
zero one...") are not found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import phonenumbers

from contest_intake.domain.identifiers import InvalidIdentifier, validate_bin, validate_iin

MASK = "•••"
"""What stands in a public text where personal data was found."""

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")
_TWELVE_DIGITS = re.compile(r"(?<!\d)(?:\d[ -]?){11}\d(?!\d)")

SHORT_PUBLIC_FIELDS = ("applicant.display_name", "details.project_title", "details.position")
"""Fields shown publicly as they are: personal data in them is refused."""
LONG_PUBLIC_FIELDS = ("details.summary", "details.target_group")
"""Texts shown publicly: personal data in them is masked, and the applicant told so."""


def _is_identifier(digits: str) -> bool:
    for validate in (validate_iin, validate_bin):
        try:
            validate(digits)
        except InvalidIdentifier:
            continue
        return True
    return False


def personal_data_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds an IIN or BIN, a phone number or an email, merged and in order."""
    spans = [m.span() for m in _EMAIL.finditer(text)]
    spans += [
        m.span()
        for m in _TWELVE_DIGITS.finditer(text)
        if _is_identifier(re.sub(r"\D", "", m.group()))
    ]
    spans += [
        (match.start, match.end)
        for match in phonenumbers.PhoneNumberMatcher(
            text, "KZ", leniency=phonenumbers.Leniency.VALID
        )
    ]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def masked(text: str) -> str:
    """``text`` with every IIN, BIN, phone number and email replaced by :data:`MASK`."""
    spans = personal_data_spans(text)
    if not spans:
        return text
    parts, position = [], 0
    for start, end in spans:
        parts += [text[position:start], MASK]
        position = end
    return "".join([*parts, text[position:]])


def fields_disclosing(texts: Mapping[str, str], fields: Iterable[str]) -> list[str]:
    """Those of ``fields`` whose text in ``texts`` (by dotted field path) holds personal data."""
    return [field for field in fields if personal_data_spans(texts.get(field, ""))]
