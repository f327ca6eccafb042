"""The proof of work, pure: a challenge is read back only as signed and before its expiry,
the work is judged on the number it was done for, and a challenge easier than the setting
asks for now buys nothing."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from contest_voting.domain.challenges import (
    Challenge,
    ChallengeRefusal,
    issue_challenge,
    judge,
    leading_zero_bits,
    read_challenge,
    solve,
    work_done,
)

SECRET = b"challenge-secret-of-the-unit-tests-00"
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
PHONE = "+77011234567"


@pytest.mark.parametrize(
    ("digest", "bits"),
    [
        (b"\x80" + b"\x00" * 31, 0),
        (b"\x01" + b"\xff" * 31, 7),
        (b"\x00\x0f" + b"\xff" * 30, 12),
        (b"\x00\x00\x00\x01" + b"\xff" * 28, 31),
        (b"\x00" * 32, 256),
    ],
)
def test_leading_zero_bits(digest: bytes, bits: int) -> None:
    assert leading_zero_bits(digest) == bits


def test_a_solution_is_sha256_of_challenge_phone_and_nonce_with_the_zero_bits() -> None:
    token = issue_challenge(SECRET, 10, NOW + timedelta(minutes=5))
    nonce = solve(token, PHONE, 10)
    digest = hashlib.sha256((token + PHONE + nonce).encode()).digest()
    assert digest[0] == 0 and digest[1] < 0b01000000  # 10 bits: the browser's rule too
    assert work_done(token, PHONE, nonce, 10)
    judged = judge(token, PHONE, nonce, SECRET, 10, NOW)
    assert isinstance(judged, Challenge)
    assert (judged.difficulty, judged.expires_at) == (10, NOW + timedelta(minutes=5))


def test_the_work_is_bound_to_the_number() -> None:
    token = issue_challenge(SECRET, 12, NOW + timedelta(minutes=5))
    nonce = solve(token, PHONE, 12)
    others = [f"+7701123{n:04d}" for n in range(20)]
    # At 12 bits one number in 4096 shares a nonce by chance; not 20 of them.
    refused = [p for p in others if p != PHONE and not work_done(token, p, nonce, 12)]
    assert len(refused) >= 19
    assert judge(token, refused[0], nonce, SECRET, 12, NOW) is ChallengeRefusal.UNSOLVED


def test_a_wrong_or_malformed_nonce_is_no_solution() -> None:
    token = issue_challenge(SECRET, 16, NOW + timedelta(minutes=5))
    nonce = solve(token, PHONE, 16)
    assert not work_done(token, PHONE, f"0{nonce}x", 16)
    assert not work_done(token, PHONE, "", 0)  # not a number, even when no work is asked
    assert not work_done(token, PHONE, "1" * 17, 0)
    wrong = next(n for n in range(int(nonce) + 1, 10**6) if not work_done(token, PHONE, str(n), 16))
    assert judge(token, PHONE, str(wrong), SECRET, 16, NOW) is ChallengeRefusal.UNSOLVED


def test_only_a_live_challenge_voting_signed_is_read() -> None:
    token = issue_challenge(SECRET, 8, NOW + timedelta(minutes=5))
    assert read_challenge(token, SECRET, NOW) is not None
    assert read_challenge(token, SECRET, NOW + timedelta(minutes=5)) is None  # expired
    assert read_challenge(token, b"another-key-another-key-another-k", NOW) is None
    difficulty, expiry, salt, signature = token.split(".")
    easier = ".".join(("0", expiry, salt, signature))
    later = ".".join((difficulty, str(int(expiry) + 3600), salt, signature))
    for forged in (easier, later, token + "x", "", "8.1.2.3", token.replace(".", ":")):
        assert read_challenge(forged, SECRET, NOW) is None, forged
        assert judge(forged, PHONE, "0", SECRET, 0, NOW) is ChallengeRefusal.EXPIRED


def test_a_challenge_easier_than_the_setting_now_is_refused_as_expired() -> None:
    token = issue_challenge(SECRET, 4, NOW + timedelta(minutes=5))
    nonce = solve(token, PHONE, 8)  # even with more work than it asked for
    assert isinstance(judge(token, PHONE, nonce, SECRET, 4, NOW), Challenge)
    assert judge(token, PHONE, nonce, SECRET, 8, NOW) is ChallengeRefusal.EXPIRED


def test_each_challenge_is_its_own() -> None:
    tokens = {issue_challenge(SECRET, 8, NOW + timedelta(minutes=5)) for _ in range(50)}
    assert len(tokens) == 50
    assert len({t.rsplit(".", 1)[1] for t in tokens}) == 50
