"""IIN and BIN validation, by example and by property."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from intake_samples import contest_definition, worker_form

from contest_intake.domain.forms import KAZAKHSTAN_TIME, form_refusals
from contest_intake.domain.identifiers import (
    BirthDateInFuture,
    InvalidIdentifier,
    check_digit,
    validate_bin,
    validate_iin,
    with_check_digit,
)


def test_check_digit_examples() -> None:
    # 9*1 + 5*4 + 1*5 + 3*7 + 5*9 = 100, and 100 % 11 = 1
    assert check_digit("90051030500") == 1
    # 1*10 = 10 in the first pass, so the second weights decide: 1*1 = 1
    assert check_digit("00000000010") == 1
    # 6*1 + 5*3 = 21 and 6*3 + 5*5 = 43: 10 in both passes, so no number starts so
    assert check_digit("60500000000") is None


def test_a_valid_iin_passes() -> None:
    iin = with_check_digit("900510305001"[:11])
    assert iin is not None
    assert validate_iin(iin) == iin


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("12345", "exactly 12 digits"),
        ("9005103050017", "exactly 12 digits"),
        ("90051030500a", "exactly 12 digits"),
        ("٩٠٠٥١٠٣٠٥٠٠١", "exactly 12 digits"),  # non-ASCII digits
        ("900510305008", "check digit"),
    ],
)
def test_malformed_iins_are_refused_with_a_reason(value: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier, match=reason):
        validate_iin(value)


def test_iin_needs_a_birth_date_and_a_century_digit() -> None:
    bad_date = with_check_digit("90023030501")  # 30 February
    bad_century = with_check_digit("90051070501")
    assert bad_date is not None and bad_century is not None
    with pytest.raises(InvalidIdentifier, match="birth date"):
        validate_iin(bad_date)
    with pytest.raises(InvalidIdentifier, match="century"):
        validate_iin(bad_century)


def test_bin_structure_is_checked() -> None:
    valid = with_check_digit("18024001234")
    assert valid is not None and validate_bin(valid) == valid
    for prefix, reason in (
        ("18134001234", "month"),
        ("18027001234", "kind of entity"),
        ("18024701234", "kind of unit"),
    ):
        number = with_check_digit(prefix)
        assert number is not None
        with pytest.raises(InvalidIdentifier, match=reason):
            validate_bin(number)


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    st.integers(0, 1),
    st.integers(0, 9999),
)
def test_every_iin_built_from_a_birth_date_validates(born: date, sex: int, serial: int) -> None:
    century = 3 if born.year < 2000 else 5
    iin = with_check_digit(f"{born:%y%m%d}{century + sex}{serial:04d}")
    assume(iin is not None)
    assert iin is not None and validate_iin(iin) == iin


@given(st.text(alphabet="0123456789", min_size=11, max_size=11), st.integers(1, 9))
def test_a_wrong_check_digit_is_always_caught(digits: str, delta: int) -> None:
    number = with_check_digit(digits)
    assume(number is not None)
    assert number is not None
    wrong = number[:11] + str((int(number[11]) + delta) % 10)
    with pytest.raises(InvalidIdentifier, match="check digit"):
        validate_bin(wrong)


@given(
    st.text(alphabet="0123456789", min_size=11, max_size=11), st.integers(0, 9), st.integers(1, 9)
)
def test_a_typo_in_the_first_ten_digits_is_caught_within_the_first_pass(
    digits: str, position: int, delta: int
) -> None:
    # Weights 1..10 are invertible modulo 11, so a single changed digit changes the first
    # pass remainder. (Weight 11 is 0 modulo 11: a typo in the 11th digit can slip through,
    # and so can one that sends either number to the second pass; both are real limits.)
    typo = digits[:position] + str((int(digits[position]) + delta) % 10) + digits[position + 1 :]
    first_pass = [
        sum(int(d) * w for d, w in zip(x, range(1, 12), strict=True)) % 11 for x in (digits, typo)
    ]
    assume(10 not in first_pass)
    assert check_digit(digits) != check_digit(typo)


def _iin_born(born: date) -> str:
    century = {18: 1, 19: 3, 20: 5}[born.year // 100]
    for serial in range(10000):
        iin = with_check_digit(f"{born:%y%m%d}{century}{serial:04d}")
        if iin is not None:
            return iin
    raise AssertionError("no IIN for this date")


def test_an_iin_born_after_today_is_refused_with_its_own_code() -> None:
    today = date(2025, 3, 14)
    assert validate_iin(_iin_born(today), today=today)  # born today: fine
    with pytest.raises(BirthDateInFuture, match="later than today") as raised:
        validate_iin(_iin_born(date(2025, 3, 15)), today=today)
    assert raised.value.code == "birth_date_in_future"
    assert InvalidIdentifier("x").code == "invalid_identifier"


def test_a_form_with_an_iin_born_tomorrow_is_refused() -> None:
    today = datetime.now(KAZAKHSTAN_TIME).date()
    form = worker_form(1)
    for born, codes in ((today, []), (today + timedelta(days=1), ["birth_date_in_future"])):
        applicant = form.applicant.model_copy(update={"identifier": _iin_born(born)})
        refusals = form_refusals(
            form.model_copy(update={"applicant": applicant}), contest_definition()
        )
        assert [r.code for r in refusals if r.field == "applicant.identifier"] == codes
