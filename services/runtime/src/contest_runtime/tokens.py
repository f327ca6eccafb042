"""Tokens signed with the static key, for scripts, tests and the local platform; and the
roles a token grants. Kept apart from :mod:`contest_runtime.auth` (which verifies tokens
for the services and needs FastAPI and an HTTP client) so that `mint-token` answers at
once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt

from contest_runtime.auth_settings import AuthSettings


class Role(StrEnum):
    """Roles a token can grant."""

    APPLICANT = "applicant"
    """Submits and follows their own applications."""
    SECRETARY = "secretary"
    """Regional secretary: screens and lists the applications of their region."""
    JUROR = "juror"
    """Scores the applications assigned to them."""
    COMMISSION_SECRETARY = "commission_secretary"
    """Runs a commission: members, stage closing, decisions."""
    OPERATOR = "operator"
    """Runs the platform and the contest: definitions, stages, fraud handling."""


def mint(
    settings: AuthSettings,
    *,
    subject: str,
    roles: list[Role],
    region_code: str | None = None,
    iin_bin: str | None = None,
    ttl: timedelta = timedelta(hours=12),
    signing_key: str | None = None,
) -> str:
    """A token signed with the static key, for local use and tests (claims ``roles``,
    ``region``, ``iin_bin``: the default mapping). RS256 needs the private key as
    ``signing_key``."""
    key = signing_key or settings.jwt_key.get_secret_value()
    if not key:
        raise ValueError("minting needs the static key (AUTH_JWT_KEY)")
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": subject,
        "roles": [role.value for role in roles],
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + ttl,
    }
    if region_code is not None:
        claims["region"] = region_code
    if iin_bin is not None:
        claims["iin_bin"] = iin_bin
    return jwt.encode(claims, key, algorithm=settings.jwt_algorithm)
