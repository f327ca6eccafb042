"""Who a voter is: a phone number they proved, kept only as a keyed hash.

The voting database never holds a phone number. A voter is the HMAC-SHA256 of their
normalised number under a secret key from the settings: the same number always gives the
same voter (one vote per nomination), and the key's holder alone can link the two.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import jwt
import phonenumbers

_MOBILE = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
"""What an SMS reaches; landlines (727 Almaty, 7172 Astana), VoIP and unallocated ranges do not.
FIXED_LINE_OR_MOBILE is where a country's numbering does not tell the two apart (the US)."""


def normalise_phone(raw: str, countries: Sequence[str] = ("KZ",)) -> str | None:
    """The E.164 form of a mobile number of one of ``countries`` (ISO 3166 codes), written the
    ways people write it (+7 701 123 45 67, 8 (701) 123-45-67, 77011234567, 7011234567); None
    if it is not one.

    libphonenumber's metadata decides what is a valid mobile number, so new operator codes
    need a package update, not a code change. A number written without its country code is
    read as a number of the first country.
    """
    try:
        number = phonenumbers.parse(raw.strip(), countries[0] if countries else "KZ")
    except phonenumbers.NumberParseException:
        return None
    if (
        phonenumbers.region_code_for_number(number) not in countries
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in _MOBILE
    ):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def voter_key(phone: str, secret: bytes) -> str:
    """The voter's identity: HMAC-SHA256 of the normalised phone number, hex."""
    return hmac.new(secret, phone.encode(), hashlib.sha256).hexdigest()


def new_code(digits: int = 6) -> str:
    """A one-time code."""
    return "".join(secrets.choice("0123456789") for _ in range(digits))


def code_digest(code: str, key: str) -> str:
    """What is stored of a one-time code: bound to the voter, useless without both."""
    return hashlib.sha256(f"{key}:{code}".encode()).hexdigest()


_AUDIENCE = "contest-voting"


def voter_token(key: str, secret: str, ttl: timedelta, now: datetime | None = None) -> str:
    """A short-lived token proving the bearer verified the phone number behind ``key``."""
    issued = now or datetime.now(UTC)
    claims = {"sub": key, "aud": _AUDIENCE, "iat": issued, "exp": issued + ttl}
    return jwt.encode(claims, secret, algorithm="HS256")


def voter_of(token: str, secret: str) -> str | None:
    """The voter key a token proves; None when it is forged, expired or not a voter token."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=["HS256"], audience=_AUDIENCE, options={"require": ["exp"]}
        )
    except jwt.PyJWTError:
        return None
    subject = claims.get("sub")
    return subject if isinstance(subject, str) and re.fullmatch(r"[0-9a-f]{64}", subject) else None


class RecentVoters:
    """The latest voters (contest, nomination, voter key) one replica took a vote from,
    forgetting the oldest beyond ``capacity``: a repeated vote is usually the same voter
    pressing again, answered here without asking the store. The tally is the rule."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._voters: OrderedDict[tuple[str, str, str], None] = OrderedDict()

    def take(self, voter: tuple[str, str, str]) -> bool:
        """Note a voter; False when they were noted already."""
        if voter in self._voters:
            return False
        self._voters[voter] = None
        if len(self._voters) > self.capacity:
            self._voters.popitem(last=False)
        return True

    def forget(self, voter: tuple[str, str, str]) -> None:
        """Forget a voter whose vote was not taken after all."""
        self._voters.pop(voter, None)
