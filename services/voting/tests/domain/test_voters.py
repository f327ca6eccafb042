"""Phone numbers, voter keys, one-time codes and voter tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest_voting.domain.voters import (
    RecentVoters,
    code_digest,
    new_code,
    normalise_phone,
    voter_key,
    voter_of,
    voter_token,
)

SECRET = "a-token-secret-of-thirty-two-bytes!!"


@pytest.mark.parametrize(
    "written",
    ["+77011234567", "+7 701 123 45 67", "8 (701) 123-45-67", "87011234567", "77011234567"],
)
def test_the_ways_people_write_a_mobile_number_give_one_number(written: str) -> None:
    assert normalise_phone(written) == "+77011234567"


@pytest.mark.parametrize(
    "written", ["", "+7701123456", "+770112345678", "+12025550100", "+77271234567", "+7 7172 1234"]
)
def test_what_is_not_a_kazakhstan_mobile_number_is_refused(written: str) -> None:
    assert normalise_phone(written) is None


@pytest.mark.parametrize("written", ["+77851234567", "8 785 123 45 67", "7011234567"])
def test_mobile_numbers_the_old_pattern_refused_are_taken(written: str) -> None:
    # 785 is a mobile code in libphonenumber's metadata; the ten national digits alone are how
    # many people write their number.
    assert normalise_phone(written) is not None


@pytest.mark.parametrize(
    "written", ["+77031234567", "+77041234567", "+77501234567", "+77511234567"]
)
def test_numbers_the_old_pattern_took_that_are_no_mobiles_are_refused(written: str) -> None:
    # 703 and 704 are not allocated, 750 neither, and 751 is a VoIP range: no SMS reaches them.
    assert normalise_phone(written) is None


def test_other_countries_mobiles_are_taken_only_where_allowed() -> None:
    assert normalise_phone("+79161234567") is None
    assert normalise_phone("+79161234567", countries=("KZ", "RU")) == "+79161234567"
    assert normalise_phone("+12025550100", countries=("KZ", "RU")) is None
    # The first allowed country is the one a number without its country code is read in.
    assert normalise_phone("8 (701) 123-45-67", countries=("KZ", "RU")) == "+77011234567"


def test_the_allowed_countries_are_a_setting() -> None:
    from contest_runtime.auth import AuthSettings
    from contest_voting.settings import VotingSettings

    secrets = {
        "voter_key_secret": "k" * 32,
        "token_secret": "t" * 32,
        "auth": AuthSettings(jwt_key="j" * 32),  # type: ignore[arg-type]
    }
    assert VotingSettings(**secrets).phone_countries == ["KZ"]  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        VotingSettings(**secrets, phone_countries=["XX"])  # type: ignore[arg-type]


@given(st.from_regex(r"\+7701\d{7}", fullmatch=True))
def test_a_voter_key_is_stable_keyed_and_hides_the_number(phone: str) -> None:
    key = voter_key(phone, b"k" * 32)
    assert key == voter_key(phone, b"k" * 32)
    assert key != voter_key(phone, b"j" * 32)
    assert len(key) == 64 and phone[1:] not in key


def test_a_code_digest_is_bound_to_its_voter_and_digits() -> None:
    code = new_code()
    assert len(code) == 6 and code.isdigit()
    digest = code_digest(code, "voter-a")
    assert digest == code_digest(code, "voter-a")
    assert digest != code_digest(code, "voter-b")
    other = "000000" if code != "000000" else "111111"
    assert digest != code_digest(other, "voter-a")


def test_a_voter_token_proves_its_voter_until_it_expires() -> None:
    key = "a" * 64
    token = voter_token(key, SECRET, timedelta(minutes=15))
    assert voter_of(token, SECRET) == key
    assert voter_of(token, SECRET.replace("a", "b")) is None
    old = voter_token(key, SECRET, timedelta(minutes=1), now=datetime.now(UTC) - timedelta(hours=1))
    assert voter_of(old, SECRET) is None
    assert voter_of("garbage", SECRET) is None


def test_a_replica_remembers_its_latest_voters_and_forgets_the_oldest() -> None:
    recent = RecentVoters(capacity=2)
    first, second, third = (("contest", "nomination", key) for key in "abc")
    assert recent.take(first) and not recent.take(first)
    recent.forget(first)
    assert recent.take(first)
    assert recent.take(second) and recent.take(third)
    assert recent.take(first), "the oldest is forgotten beyond the capacity"
    assert not recent.take(third)
