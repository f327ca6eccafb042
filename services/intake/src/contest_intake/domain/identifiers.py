"""Kazakhstan's 12-digit identifiers: IIN (individuals) and BIN (legal entities).

Both end in a check digit computed over the first eleven digits: the weighted sum with
weights 1..11, modulo 11; when that is 10, again with weights 3..11, 1, 2; when that is
10 too, the number is never issued. An IIN starts with the birth date (YYMMDD) and a digit
1-6 for the century and sex; a BIN starts with the registration year and month (YYMM), then
the kind of entity (4 resident, 5 non-resident, 6 individual entrepreneur) and of unit
(0 head office, 1 branch, 2 representative office, 3 peasant farm).

An IIN whose birth date is later than today (in Kazakhstan) belongs to nobody yet: it is
refused with a code of its own, ``birth_date_in_future``; every other impossible number is
``invalid_identifier``.
"""

from __future__ import annotations

from datetime import date

_FIRST_WEIGHTS = tuple(range(1, 12))
_SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_CENTURIES = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


class InvalidIdentifier(ValueError):
    """An IIN or BIN that cannot exist; the message says why, ``code`` names it."""

    code: str = "invalid_identifier"


class BirthDateInFuture(InvalidIdentifier):
    """An IIN whose birth date has not come yet."""

    code = "birth_date_in_future"


def check_digit(first_eleven: str) -> int | None:
    """The check digit of eleven digits, or None when no valid number starts with them."""
    digits = [int(c) for c in first_eleven]
    for weights in (_FIRST_WEIGHTS, _SECOND_WEIGHTS):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


def _twelve_digits(value: str, name: str) -> str:
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        raise InvalidIdentifier(f"{name} must be exactly 12 digits")
    expected = check_digit(value[:11])
    if expected is None or expected != int(value[11]):
        raise InvalidIdentifier(f"{name} check digit does not match")
    return value


def validate_iin(value: str, today: date | None = None) -> str:
    """Return ``value`` if it is a possible IIN, else raise ``InvalidIdentifier``.

    With ``today``, a birth date later than it is refused too (``BirthDateInFuture``).
    """
    _twelve_digits(value, "IIN")
    century_digit = int(value[6])
    if century_digit not in _CENTURIES:
        raise InvalidIdentifier("IIN 7th digit (century and sex) must be 1 to 6")
    year = _CENTURIES[century_digit] + int(value[0:2])
    try:
        born = date(year, int(value[2:4]), int(value[4:6]))
    except ValueError as error:
        raise InvalidIdentifier("IIN does not start with a valid birth date") from error
    if today is not None and born > today:
        raise BirthDateInFuture(f"IIN's birth date {born.isoformat()} is later than today")
    return value


def validate_bin(value: str) -> str:
    """Return ``value`` if it is a possible BIN, else raise ``InvalidIdentifier``."""
    _twelve_digits(value, "BIN")
    if not 1 <= int(value[2:4]) <= 12:
        raise InvalidIdentifier("BIN 3rd-4th digits must be a registration month 01-12")
    if value[4] not in "456":
        raise InvalidIdentifier("BIN 5th digit (kind of entity) must be 4, 5 or 6")
    if value[5] not in "0123":
        raise InvalidIdentifier("BIN 6th digit (kind of unit) must be 0 to 3")
    return value


def with_check_digit(first_eleven: str) -> str | None:
    """Complete eleven digits into a valid-checksum number (for generating test data)."""
    digit = check_digit(first_eleven)
    return None if digit is None else first_eleven + str(digit)
