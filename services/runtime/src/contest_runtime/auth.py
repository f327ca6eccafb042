"""Who is calling: bearer tokens (JWT) verified with configured keys, and role checks.

Tokens carry ``sub`` (the caller's id), ``roles`` and, for regional roles, ``region``.
They are verified against ``AUTH_JWT_KEY`` (an HS256 secret, or an RS256 public key in PEM
form whose private half stays with the identity provider), ``AUTH_JWT_ISSUER`` and
``AUTH_JWT_AUDIENCE``. Every route states who may call it with :func:`require_roles`;
missing or invalid tokens get 401, valid tokens without the role get 403.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

import jwt
from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from contest_runtime.problems import ProblemError


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


class AuthSettings(BaseSettings):
    """How tokens are verified (``AUTH_*`` variables, shared by every service)."""

    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore")

    jwt_algorithm: Literal["HS256", "RS256"] = Field(
        default="HS256", description="HS256 with a shared secret, or RS256 with a public key."
    )
    jwt_key: SecretStr = Field(description="HS256 secret, or RS256 public key (PEM).")
    jwt_issuer: str = Field(default="contest-platform", description="Expected `iss`.")
    jwt_audience: str = Field(default="contest-platform", description="Expected `aud`.")


class Principal(BaseModel):
    """The verified caller."""

    subject: str = Field(description="Caller id (`sub`).")
    roles: frozenset[Role] = Field(description="Granted roles.")
    region_code: str | None = Field(default=None, description="Region of a regional role.")

    def has(self, *roles: Role) -> bool:
        """Whether the caller holds any of ``roles``."""
        return bool(self.roles.intersection(roles))


def _unauthenticated(detail: str) -> ProblemError:
    return ProblemError(
        401,
        "unauthenticated",
        "Authentication required",
        detail,
        headers={"WWW-Authenticate": 'Bearer realm="contest"'},
    )


def verify(token: str, settings: AuthSettings) -> Principal:
    """The principal a token proves; ``ProblemError`` 401 when it proves nothing."""
    try:
        claims = jwt.decode(
            token,
            settings.jwt_key.get_secret_value(),
            algorithms=[settings.jwt_algorithm],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["sub", "exp", "iss", "aud"]},
        )
        caller = _CallerClaims.model_validate(claims)
    except jwt.PyJWTError as error:
        raise _unauthenticated(f"invalid token: {error}") from error
    except ValidationError as error:
        # A correctly signed token can still carry claims of the wrong shape (an issuer's
        # mapping gone wrong); it proves no one, so it is a 401 like any other bad token.
        fields = ", ".join(".".join(map(str, e["loc"])) for e in error.errors())
        raise _unauthenticated(f"invalid token: malformed claims ({fields})") from error
    return Principal(subject=caller.sub, roles=frozenset(caller.roles), region_code=caller.region)


class _CallerClaims(BaseModel):
    """The claims a principal is made of, checked strictly: no coercion of numbers to text,
    of a single role to a list, or of an object to roles."""

    model_config = ConfigDict(strict=True, extra="ignore")

    sub: str = Field(min_length=1, max_length=256, pattern=r"\S")
    roles: list[Role] = Field(default_factory=list)
    region: str | None = Field(default=None, min_length=1, max_length=64)

    @field_validator("roles", mode="before")
    @classmethod
    def _role_names(cls, value: object) -> object:
        # Strict mode takes a StrEnum only as a member; on the wire a role is its name.
        if isinstance(value, list) and all(isinstance(name, str) for name in value):
            return [Role(name) for name in value]
        return value


def mint(
    settings: AuthSettings,
    *,
    subject: str,
    roles: list[Role],
    region_code: str | None = None,
    ttl: timedelta = timedelta(hours=12),
    signing_key: str | None = None,
) -> str:
    """A token for local use and tests. RS256 needs the private key as ``signing_key``."""
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
    key = signing_key or settings.jwt_key.get_secret_value()
    return jwt.encode(claims, key, algorithm=settings.jwt_algorithm)


def principal_of(request: Request) -> Principal:
    """The verified caller of ``request``; 401 without a valid bearer token."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise _unauthenticated("send `Authorization: Bearer <token>`")
    settings: AuthSettings = request.app.state.auth_settings
    return verify(token.strip(), settings)


def require_roles(*roles: Role) -> Callable[[Request], Coroutine[Any, Any, Principal]]:
    """FastAPI dependency: a caller holding one of ``roles`` (401 anonymous, 403 otherwise)."""

    async def dependency(request: Request) -> Principal:
        principal = principal_of(request)
        if not principal.has(*roles):
            raise ProblemError(
                403,
                "forbidden",
                "Not allowed",
                f"requires one of the roles: {', '.join(sorted(r.value for r in roles))}",
            )
        return principal

    return dependency


Operator = Annotated[Principal, Depends(require_roles(Role.OPERATOR))]
"""A route parameter: the calling operator (401 anonymous, 403 any other role)."""
