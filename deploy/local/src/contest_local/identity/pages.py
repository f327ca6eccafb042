"""The provider's pages (sign in, a refused link, signed out) from Jinja2 templates in the
reader's language, under a strict Content-Security-Policy; the sign-in form's fields and
its CSRF token."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from importlib import resources
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from contest_contracts.common import Language
from contest_local.identity.languages import LANGUAGES, NAMES, catalogs

"""The provider's forms hold a few short fields."""

CSRF_COOKIE = "identity_csrf"
CSRF_FIELD = "csrf"


def content_security_policy(redirect_uris: Iterable[str]) -> str:
    """No script at all, styles from this server only. A form may post here, and the
    sign-in's redirect goes to a client's registered address (browsers apply
    `form-action` to the redirect after a form too)."""
    origins = sorted({_origin(uri) for uri in redirect_uris if _origin(uri)})
    return (
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
        f"frame-ancestors 'none'; form-action 'self' {' '.join(origins)}".rstrip()
    )


def _origin(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


class Pages:
    """Renders a template in a language, with the provider's headers."""

    def __init__(self, csp: str) -> None:
        self.csp = csp
        self.environments: dict[Language, Environment] = {}
        for language, translations in catalogs().items():
            environment = Environment(
                loader=PackageLoader("contest_local.identity", "templates"),
                autoescape=select_autoescape(["html"]),
                undefined=StrictUndefined,
                trim_blocks=True,
                lstrip_blocks=True,
                extensions=["jinja2.ext.i18n"],
            )
            environment.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
            self.environments[language] = environment
        css = resources.files("contest_local.identity").joinpath("static", "identity.css")
        self.css = css.read_bytes()
        self.css_url = f"/static/identity.css?v={hashlib.sha256(self.css).hexdigest()[:12]}"

    def render(
        self,
        language: Language,
        template: str,
        status_code: int = 200,
        switch: dict[str, str] | None = None,
        **context: Any,
    ) -> HTMLResponse:
        """``template`` in ``language``; ``switch`` is the query the language links keep
        (with `ui_locales` set to each language)."""
        links = (
            [
                {
                    "language": other.value,
                    "label": NAMES[other],
                    "current": other == language,
                    "href": "?" + urlencode({**switch, "ui_locales": other.value}),
                }
                for other in LANGUAGES
            ]
            if switch is not None
            else []
        )
        body = (
            self.environments[language]
            .get_template(template)
            .render(lang=language.value, css=self.css_url, languages=links, **context)
        )
        response = HTMLResponse(body, status_code=status_code)
        response.headers["Content-Security-Policy"] = self.csp
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response


def csrf_token(request: Request) -> str:
    """The browser's CSRF token (its cookie's, or a new one the page sets)."""
    current = request.cookies.get(CSRF_COOKIE, "")
    return current if len(current) == 43 else secrets.token_urlsafe(32)


def csrf_holds(request: Request, fields: dict[str, str]) -> bool:
    """Whether the form carries the token its browser's cookie holds (a form posted from
    elsewhere cannot read the cookie; it is `SameSite=Strict` besides)."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    field = fields.get(CSRF_FIELD, "")
    return len(cookie) == 43 and hmac.compare_digest(cookie.encode(), field.encode())


def set_csrf_cookie(response: HTMLResponse, token: str) -> None:
    """Keep ``token`` in the browser for the sign-in form (HttpOnly, SameSite=Strict;
    not `Secure`, as the provider is reached over plain HTTP on loopback)."""
    response.set_cookie(
        CSRF_COOKIE, token, httponly=True, samesite="strict", path="/authorize", max_age=3600
    )
