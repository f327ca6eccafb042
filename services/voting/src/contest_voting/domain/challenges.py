"""The proof of work a code request carries: a brake on SMS pumping that needs no
third-party service and no storage to issue.

Voting hands out a challenge: an opaque token that carries its difficulty and expiry and is
signed with HMAC-SHA256 under a secret key, so any replica can check it without having
kept it. The caller finds a nonce such that ``sha256(challenge || phone || nonce)`` starts
with ``difficulty`` zero bits (about ``2**difficulty`` hashes on average; checking one
takes a single hash). The phone number is in the hash, so one solution buys a code for one
number only. The store spends a solved challenge once (``store.challenges``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

_VERSION = "pow1"
_SHAPE = re.compile(r"^(\d{1,2})\.(\d{1,12})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$")
"""difficulty . expiry (Unix seconds) . salt . signature: nothing but these characters, so
the concatenation hashed cannot be read two ways."""
NONCE = r"^\d{1,16}$"
"""A nonce is a decimal number a browser counts to (below 2**53, JavaScript's exact range)."""


class ChallengeRefusal(StrEnum):
    """Why a challenge does not buy a code (the problem codes of the API)."""

    EXPIRED = "challenge_expired"
    """Not one voting signed, past its expiry, or easier than voting asks for now."""
    UNSOLVED = "challenge_unsolved"
    """The nonce does not give the zero bits the challenge asks for, with this number."""


@dataclass(frozen=True)
class Challenge:
    """A challenge voting issued, as read back from its token."""

    token: str
    difficulty: int
    expires_at: datetime

    @property
    def signature(self) -> str:
        """What identifies the challenge (unique per token: it signs a random salt)."""
        return self.token.rsplit(".", 1)[1]


def _sign(secret: bytes, body: str) -> str:
    digest = hmac.new(secret, f"{_VERSION}.{body}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue_challenge(secret: bytes, difficulty: int, expires_at: datetime) -> str:
    """A new challenge of ``difficulty`` leading zero bits, good until ``expires_at``."""
    salt = secrets.token_urlsafe(12)
    body = f"{difficulty}.{int(expires_at.timestamp())}.{salt}"
    return f"{body}.{_sign(secret, body)}"


def read_challenge(token: str, secret: bytes, now: datetime) -> Challenge | None:
    """The challenge behind ``token``; None when voting did not sign it (or it is not a
    token at all) or it has expired."""
    shape = _SHAPE.match(token)
    if shape is None:
        return None
    body, signature = token.rsplit(".", 1)
    if not hmac.compare_digest(signature, _sign(secret, body)):
        return None
    expires_at = datetime.fromtimestamp(int(shape[2]), tz=UTC)
    if expires_at <= now:
        return None
    return Challenge(token, int(shape[1]), expires_at)


def leading_zero_bits(digest: bytes) -> int:
    """How many zero bits ``digest`` starts with."""
    bits = 0
    for byte in digest:
        if byte:
            return bits + 8 - byte.bit_length()
        bits += 8
    return bits


def work_digest(challenge: str, phone: str, nonce: str) -> bytes:
    """``sha256(challenge || phone || nonce)``, each as UTF-8: what the work is judged on.
    ``phone`` is the normalised number (+77XXXXXXXXX)."""
    return hashlib.sha256(f"{challenge}{phone}{nonce}".encode()).digest()


def work_done(challenge: str, phone: str, nonce: str, difficulty: int) -> bool:
    """Whether ``nonce`` solves ``challenge`` for ``phone`` at ``difficulty`` bits."""
    if re.fullmatch(NONCE, nonce) is None:
        return False
    return leading_zero_bits(work_digest(challenge, phone, nonce)) >= difficulty


def judge(
    token: str, phone: str, nonce: str, secret: bytes, difficulty: int, now: datetime
) -> Challenge | ChallengeRefusal:
    """The challenge a code request carries, if it is signed, live, at least as hard as
    ``difficulty`` (the setting now), and solved for ``phone``; else why not. Pure and
    cheap (two hashes): it runs before anything is stored or counted."""
    challenge = read_challenge(token, secret, now)
    if challenge is None or challenge.difficulty < difficulty:
        return ChallengeRefusal.EXPIRED
    if not work_done(token, phone, nonce, challenge.difficulty):
        return ChallengeRefusal.UNSOLVED
    return challenge


def solve(challenge: str, phone: str, difficulty: int) -> str:
    """A nonce that solves ``challenge`` for ``phone``: what a voter's browser does (in
    JavaScript, ``static/challenge.js`` of the portal); here for tests and scripts."""
    nonce = 0
    while not work_done(challenge, phone, str(nonce), difficulty):
        nonce += 1
    return str(nonce)
