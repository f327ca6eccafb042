"""How tokens are verified: the ``AUTH_*`` settings every service shares.

A provider's published keys (``AUTH_ISSUER`` or ``AUTH_JWKS_URL``) take precedence over the
static key (``AUTH_JWT_KEY``): when a provider is configured, the static key is ignored.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROVIDER_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
"""Algorithms a provider's published key may verify: asymmetric ones only. ``none`` and the
HMAC family are never among them (an HMAC "key" from a public set is public)."""

_CommaSeparated = Annotated[tuple[str, ...], NoDecode]


_LOOPBACK_HOSTS = {"127.0.0.1", "::1", "[::1]", "localhost"}


def is_loopback(url: str) -> bool:
    """Whether ``url`` names this machine (plain HTTP is harmless there)."""
    host = urlsplit(url).hostname or ""
    return host in _LOOPBACK_HOSTS or host.startswith("127.")


@dataclass(frozen=True)
class KeySource:
    """Where the keys come from and how long they are trusted."""

    issuer: str | None
    """The provider's issuer; its discovery document names the key set when no URL is given."""
    jwks_url: str | None
    """The key set's address; found by discovery when ``None``."""
    algorithms: Collection[str]
    """Algorithms accepted; keys for any other are left out of the cache."""
    cache_s: float
    refresh_min_s: float
    timeout_s: float


class AuthSettings(BaseSettings):
    """How tokens are verified (``AUTH_*`` variables, shared by every service)."""

    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore")

    issuer: str | None = Field(
        default=None,
        description="The identity provider's issuer URL: its discovery document "
        "(`<issuer>/.well-known/openid-configuration`) gives the key set, and it is the "
        "expected `iss`.",
    )
    jwks_url: str | None = Field(
        default=None, description="The provider's key set, when it is not to be discovered."
    )
    algorithms: _CommaSeparated = Field(
        default=("RS256", "ES256", "EdDSA"),
        description="Algorithms accepted from the provider (comma-separated).",
    )
    jwks_cache_s: float = Field(
        default=300,
        gt=0,
        description="How long a fetched key set is used before it is fetched "
        "again (a removed key stops verifying after this long).",
    )
    jwks_refresh_min_s: float = Field(
        default=10,
        ge=0,
        description="Least time between two fetches of the key set (an "
        "unknown `kid` fetches at most once in it).",
    )
    jwks_timeout_s: float = Field(default=5, gt=0, description="Timeout of one fetch.")
    provider_plain_http: bool = Field(
        default=False,
        description="Allow an `http://` issuer or key set off loopback (a private network only).",
    )
    roles_claim: _CommaSeparated = Field(
        default=("roles",),
        description="Dotted paths of the role-name lists (comma-separated), e.g. "
        "`realm_access.roles,resource_access.contest.roles`.",
    )
    region_claim: str = Field(default="region", description="Dotted path of the region code.")
    iin_bin_claim: str = Field(default="iin_bin", description="Dotted path of the IIN/BIN.")
    leeway_s: float = Field(
        default=0, ge=0, le=300, description="Clock skew allowed on `exp`, `nbf` and `iat`."
    )

    static_key_alongside: bool = Field(
        default=False,
        description="With a provider, also accept tokens signed with `AUTH_JWT_KEY` (those "
        "without a `kid`): for a local run, where scripts mint tokens next to people signing "
        "in. Never in production: a shared secret can sign any role.",
    )
    jwt_algorithm: Literal["HS256", "RS256"] = Field(
        default="HS256", description="HS256 with a shared secret, or RS256 with a public key."
    )
    jwt_key: SecretStr = Field(
        default=SecretStr(""),
        description="Static key: HS256 secret, or RS256 public key (PEM). Ignored when a "
        "provider is configured.",
    )
    jwt_issuer: str = Field(
        default="contest-platform",
        description="Expected `iss` of static-key tokens (and of provider tokens when only "
        "`AUTH_JWKS_URL` is set).",
    )
    jwt_audience: str = Field(default="contest-platform", description="Expected `aud`.")

    @field_validator("algorithms", "roles_claim", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("algorithms")
    @classmethod
    def _asymmetric_only(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        refused = [name for name in value if name not in PROVIDER_ALGORITHMS]
        if refused or not value:
            raise ValueError(
                f"not accepted from a provider: {', '.join(refused) or 'no algorithm'}; "
                f"choose among {', '.join(sorted(PROVIDER_ALGORITHMS))} (HS256 only with "
                "AUTH_JWT_KEY, `none` never)"
            )
        return value

    @field_validator("roles_claim")
    @classmethod
    def _some_path(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("name at least one claim path")
        return value

    @model_validator(mode="after")
    def _a_way_to_verify(self) -> AuthSettings:
        for name, url in (("AUTH_ISSUER", self.issuer), ("AUTH_JWKS_URL", self.jwks_url)):
            if url is None:
                continue
            scheme = urlsplit(url).scheme
            if scheme not in ("https", "http") or not urlsplit(url).hostname:
                raise ValueError(f"{name} must be an https:// URL")
            if scheme == "http" and not (is_loopback(url) or self.provider_plain_http):
                raise ValueError(
                    f"{name} must be https:// (plain http only on loopback, or with "
                    "AUTH_PROVIDER_PLAIN_HTTP=true inside a private network)"
                )
        if not self.uses_provider and not self.jwt_key.get_secret_value():
            raise ValueError("set AUTH_ISSUER or AUTH_JWKS_URL, or AUTH_JWT_KEY")
        return self

    @property
    def uses_provider(self) -> bool:
        """Whether tokens are verified with the provider's published keys."""
        return self.issuer is not None or self.jwks_url is not None

    @property
    def expected_issuer(self) -> str:
        """The ``iss`` a token must carry."""
        if self.uses_provider and self.issuer is not None:
            return self.issuer
        return self.jwt_issuer

    def key_source(self) -> KeySource:
        """Where the provider's keys are fetched from, and how long they are trusted."""
        return KeySource(
            issuer=self.issuer,
            jwks_url=self.jwks_url,
            algorithms=frozenset(self.algorithms),
            cache_s=self.jwks_cache_s,
            refresh_min_s=self.jwks_refresh_min_s,
            timeout_s=self.jwks_timeout_s,
        )
