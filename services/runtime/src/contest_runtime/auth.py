"""Who is calling: bearer tokens (JWT) verified with the identity provider's published keys
or a static key, and role checks.

Two ways to verify, chosen by :class:`AuthSettings`:

- the provider's key set (``AUTH_ISSUER``, found by OpenID Connect discovery, or
  ``AUTH_JWKS_URL``): asymmetric algorithms only (``AUTH_ALGORITHMS``), keys chosen by
  ``kid`` and cached (:mod:`contest_runtime.provider_keys`);
- a static key (``AUTH_JWT_KEY``: an HS256 secret, or an RS256 public key in PEM form), for
  tests, scripts and air-gapped installations; :func:`mint` signs with it.

When a provider is configured it alone verifies: ``AUTH_JWT_KEY`` is then ignored, so a
shared secret that could sign any role is not a second way in.

The caller's ``sub``, roles, ``region`` and IIN/BIN are read from the claims the settings
name (``AUTH_ROLES_CLAIM`` is a dotted path such as Keycloak's ``realm_access.roles``).
Every route states who may call it with :func:`require_roles`; missing or invalid tokens
get 401, valid tokens without the role get 403.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Annotated, Any

import jwt
from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

# Re-exported: services and tests import the settings from here.
from contest_runtime.auth_settings import AuthSettings as AuthSettings
from contest_runtime.problems import ProblemError
from contest_runtime.provider_keys import ProviderKeys
from contest_runtime.tokens import Role as Role
from contest_runtime.tokens import mint as mint

log = logging.getLogger(__name__)


class Principal(BaseModel):
    """The verified caller."""

    subject: str = Field(description="Caller id (`sub`).")
    roles: frozenset[Role] = Field(description="Granted roles.")
    region_code: str | None = Field(default=None, description="Region of a regional role.")
    iin_bin: str | None = Field(
        default=None,
        description="The applicant's IIN (a person) or BIN (an organisation), 12 digits, when "
        "the provider vouches for it (eGov does).",
    )

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


def _refused(reason: str, **context: object) -> ProblemError:
    # The reason and the key id only: a token is a credential and never goes to a log.
    log.info("bearer token refused", extra={"reason": reason, **context})
    return _unauthenticated(f"invalid token: {reason}")


def verify(token: str, settings: AuthSettings) -> Principal:
    """The principal a token signed with the static key proves; ``ProblemError`` 401 when it
    proves nothing."""
    return _verified(
        token,
        settings.jwt_key.get_secret_value(),
        [settings.jwt_algorithm],
        settings,
        settings.jwt_issuer,
    )


def _static_alongside(token: str, settings: AuthSettings) -> bool:
    """Whether a token goes to the static key although a provider is configured: only when
    `AUTH_STATIC_KEY_ALONGSIDE` allows it, and only a token in the static key's algorithm
    without a `kid` (the provider's tokens always name their key)."""
    if not settings.static_key_alongside or not settings.jwt_key.get_secret_value():
        return False
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return False
    return header.get("alg") == settings.jwt_algorithm and "kid" not in header


async def verify_with_provider(token: str, settings: AuthSettings, keys: ProviderKeys) -> Principal:
    """The principal a token signed with one of the provider's published keys proves;
    ``ProblemError`` 401 when it proves nothing (an unknown key included)."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise _refused(str(error)) from error
    algorithm, kid = header.get("alg"), header.get("kid")
    if not isinstance(algorithm, str) or algorithm not in settings.algorithms:
        # Checked before any key is looked up: `none`, and HS256 with a public key as its
        # secret (algorithm confusion), never reach a key.
        raise _refused("its algorithm is not accepted")
    if not isinstance(kid, str) or not kid:
        raise _refused("no key id (`kid`)")
    key = await keys.key_for(kid, algorithm)
    if key is None:
        raise _refused("signed with an unknown key", kid=kid[:64])
    return _verified(token, key, list(settings.algorithms), settings, settings.expected_issuer)


def _verified(
    token: str,
    key: jwt.PyJWK | str,
    algorithms: list[str],
    settings: AuthSettings,
    issuer: str,
) -> Principal:
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            audience=settings.jwt_audience,
            issuer=issuer,
            leeway=settings.leeway_s,
            options={"require": ["sub", "exp", "iss", "aud"]},
        )
    except jwt.PyJWTError as error:
        raise _refused(str(error)) from error
    return _principal_from(claims, settings)


class _CallerClaims(BaseModel):
    """The claims a principal is made of, checked strictly: no coercion of numbers to text,
    of a single role to a list, or of an object to roles."""

    model_config = ConfigDict(strict=True, extra="forbid")

    sub: str = Field(min_length=1, max_length=256, pattern=r"\S")
    roles: list[str] = Field(default_factory=list)
    region: str | None = Field(default=None, min_length=1, max_length=64)
    iin_bin: str | None = Field(default=None, pattern=r"^[0-9]{12}$")


class _Malformed(Exception):
    pass


def _at(claims: dict[str, Any], path: str) -> object:
    """The claim at a dotted ``path``; ``None`` when a step is missing."""
    value: object = claims
    for step in path.split("."):
        if not isinstance(value, dict):
            raise _Malformed(path)
        if step not in value:
            return None
        value = value[step]
    return value


def _principal_from(claims: dict[str, Any], settings: AuthSettings) -> Principal:
    """The caller the verified ``claims`` describe, through the configured mapping."""
    try:
        role_names: list[str] = []
        for path in settings.roles_claim:
            names = _at(claims, path)
            if names is None:
                continue
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise _Malformed(path)
            role_names.extend(names)
        caller = _CallerClaims.model_validate(
            {
                "sub": claims.get("sub"),
                "roles": role_names,
                "region": _at(claims, settings.region_claim),
                "iin_bin": _at(claims, settings.iin_bin_claim),
            }
        )
    except _Malformed as error:
        raise _refused(f"malformed claims ({error})") from error
    except ValidationError as error:
        # A correctly signed token can still carry claims of the wrong shape (an issuer's
        # mapping gone wrong); it proves no one, so it is a 401 like any other bad token.
        fields = ", ".join(".".join(map(str, e["loc"])) for e in error.errors())
        raise _refused(f"malformed claims ({fields})") from error
    # Providers add roles of their own (Keycloak's `offline_access`, `uma_authorization`):
    # names that are not the platform's grant nothing.
    known = {role.value for role in Role}
    return Principal(
        subject=caller.sub,
        roles=frozenset(Role(name) for name in caller.roles if name in known),
        region_code=caller.region,
        iin_bin=caller.iin_bin,
    )


@asynccontextmanager
async def verifying_tokens(app: FastAPI) -> AsyncIterator[ProviderKeys | None]:
    """For a lifespan: the provider's key set of ``app`` (on ``app.state.provider_keys``)
    while it runs, or ``None`` when tokens are verified with the static key."""
    settings: AuthSettings = app.state.auth_settings
    if not settings.uses_provider:
        app.state.provider_keys = None
        yield None
        return
    if settings.static_key_alongside and settings.jwt_key.get_secret_value():
        log.warning(
            "AUTH_JWT_KEY also verifies tokens (AUTH_STATIC_KEY_ALONGSIDE): a local run only"
        )
    elif settings.jwt_key.get_secret_value():
        log.warning("AUTH_JWT_KEY is ignored: tokens are verified with the provider's keys")
    async with ProviderKeys(settings.key_source()) as keys:
        app.state.provider_keys = keys
        try:
            yield keys
        finally:
            app.state.provider_keys = None


async def principal_of(request: Request) -> Principal:
    """The verified caller of ``request``; 401 without a valid bearer token."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise _unauthenticated("send `Authorization: Bearer <token>`")
    settings: AuthSettings = request.app.state.auth_settings
    if not settings.uses_provider or _static_alongside(token.strip(), settings):
        return verify(token.strip(), settings)
    keys: ProviderKeys | None = getattr(request.app.state, "provider_keys", None)
    if keys is None:
        raise RuntimeError("the provider's keys are not open: run the app in verifying_tokens")
    return await verify_with_provider(token.strip(), settings, keys)


def require_roles(*roles: Role) -> Callable[[Request], Coroutine[Any, Any, Principal]]:
    """FastAPI dependency: a caller holding one of ``roles`` (401 anonymous, 403 otherwise)."""

    async def dependency(request: Request) -> Principal:
        principal = await principal_of(request)
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
