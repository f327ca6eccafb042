"""The commission form's rows read into judging's `CommissionForm` (empty rows left out) and
judging's 422 errors put back at the form's fields, by row (pure)."""

from __future__ import annotations

from contest_portal.pages.operator.commissions import (
    commission_request,
    entered_form,
    refusal_fields,
)
from contest_portal.services.calls import Refused


def _fields() -> dict[str, str]:
    fields = {"level": "regional", "region_code": "KZ-71"}
    rows = [
        ("juror-1", "Асқар", "chair", "123456789012"),
        ("", "", "member", ""),  # an empty row between two members
        ("juror-2", "Мария", "member", "12345"),
        ("", "", "member", ""),
    ]
    for index, row in enumerate(rows):
        for name, value in zip(("juror_id", "name", "role", "bin"), row, strict=True):
            fields[f"member-{index}-{name}"] = value
    return fields


def test_empty_rows_are_left_out_and_each_member_keeps_its_row() -> None:
    entered = entered_form(_fields())
    assert len(entered["members"]) == 4
    body, rows = commission_request(entered)
    assert rows == [0, 2]
    assert body == {
        "level": "regional",
        "region_code": "KZ-71",
        "members": [
            {
                "juror_id": "juror-1",
                "name": "Асқар",
                "role": "chair",
                "organisation_bin": "123456789012",
            },
            {"juror_id": "juror-2", "name": "Мария", "role": "member", "organisation_bin": "12345"},
        ],
    }


def test_judging_errors_go_to_the_field_of_their_row() -> None:
    refused = Refused(
        422,
        "validation_failed",
        errors=[
            {
                "location": ["body", "members", 1, "organisation_bin"],
                "kind": "string_pattern_mismatch",
                "message": "x",
            },
            {"location": ["body", "region_code"], "kind": "unknown_region", "message": "no region"},
            {
                "location": ["body"],
                "kind": "value_error",
                "message": "Value error, a commission has exactly one chair",
            },
            {"location": ["body"], "kind": "value_error", "message": "something new"},
        ],
    )
    assert refusal_fields(refused, [0, 2]) == [
        ("bin_malformed", "member-2-bin"),
        ("unknown_region", "region_code"),
        ("one_chair", "members"),
        ("commission_refused", "level"),
    ]
    assert refusal_fields(Refused(422, "validation_failed"), []) == [
        ("commission_refused", "level")
    ]
