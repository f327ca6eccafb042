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
