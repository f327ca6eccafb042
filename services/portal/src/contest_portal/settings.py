"""Settings of the portal, read from `PORTAL_*` environment variables.

The portal keeps no data and talks to no broker or store: it needs only where the services'
HTTP APIs answer, its session secret, how long the public may cache its pages, and, for
sign-in, the identity provider it is a client of (`PORTAL_OIDC_*`). The tokens the provider
issues are verified as every service verifies them, by the `AUTH_*` settings.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AnyHttpUrl, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class PortalSettings(BaseSettings):
    """Everything the portal reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")

    http_host: str = Field(default="127.0.0.1", description="Address the pages are served on.")
    http_port: int = Field(default=8005, ge=0, le=65535, description="HTTP port.")
    log_level: str = Field(default="INFO", description="Python log level.")
    instance_id: str = Field(
        default="",
        max_length=128,
        description="Who started this process; `/readyz` answers it (as every service does).",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Addresses (comma-separated, or `*`) of the proxies whose "
        "X-Forwarded-For names the client: the voter's address, which voting limits and "
        "records, is taken from it only when the direct peer is one of these.",
    )
    intake_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("http://127.0.0.1:8001"), description="Intake's API."
    )
    judging_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("http://127.0.0.1:8002"), description="Judging's API."
    )
    voting_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("http://127.0.0.1:8003"), description="Voting's API."
    )
    notifications_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("http://127.0.0.1:8004"), description="Notifications' API."
    )
    session_secret: SecretStr = Field(
        min_length=32,
        description="Signs the portal's session and CSRF cookies (32 or more characters); "
        "the same on every replica.",
    )
    page_max_age_s: int = Field(
        default=30,
        ge=0,
        description="How long a browser, reverse proxy or CDN may keep a public page "
        "(`Cache-Control: public, max-age`); revalidation by `ETag` follows.",
    )
    exhibition_page_size: int = Field(
        default=24, ge=1, le=200, description="Projects on one page of the exhibition."
    )
    service_timeout_s: float = Field(
        default=5.0, gt=0, description="Longest wait for one answer of a service's API."
    )
    service_cache_s: float = Field(
        default=1.0,
        ge=0,
        description="How long a service's answer to a GET is shared by every page asking the "
        "same (0: never); a burst of readers of one page then makes one call, not thousands.",
    )
    service_connections: int = Field(
        default=100, ge=1, description="Most pooled connections to each service."
    )
    document_fonts: Path = Field(
        default=Path("/usr/share/fonts/truetype/dejavu"),
        description="Folder of DejaVu Sans (`DejaVuSans.ttf`, `DejaVuSans-Bold.ttf`; Debian's "
        "`fonts-dejavu-core`), the Unicode font the PDF documents are set in; without it they "
        "are a 503 page.",
    )
    oidc_issuer: str | None = Field(
        default=None,
        description="The identity provider people sign in at (OpenID Connect discovery at "
        "`<issuer>/.well-known/openid-configuration`); without it, no one can sign in.",
    )
    oidc_discovery_url: str | None = Field(
        default=None,
        description="Where the portal itself reads the provider's discovery document, when "
        "not at the issuer's public address (a private address inside the deployment).",
    )
    oidc_client_id: str = Field(default="portal", description="The portal's client id there.")
    oidc_client_secret: SecretStr = Field(
        default=SecretStr(""), description="The portal's client secret there."
    )
    oidc_scopes: str = Field(
        default="openid profile", description="Scopes asked for at sign-in (space-separated)."
    )
    public_url: AnyHttpUrl | None = Field(
        default=None,
        description="The address people reach the portal at (`https://konkurs.example.kz`): "
        "the sign-in's return address is made from it. Without it, from the request's own.",
    )

    @model_validator(mode="after")
    def _a_client_has_its_secret(self) -> PortalSettings:
        if self.oidc_issuer and not self.oidc_client_secret.get_secret_value():
            raise ValueError("PORTAL_OIDC_ISSUER needs PORTAL_OIDC_CLIENT_SECRET")
        return self
