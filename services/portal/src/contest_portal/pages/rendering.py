"""Pages from templates, in the reader's language, with the headers that let a cache keep
them: `Cache-Control: public`, a weak `ETag` from the body, and 304 on revalidation."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_eval_context, select_autoescape
from jinja2.nodes import EvalContext
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from contest_contracts.common import Language
from contest_portal import formats
from contest_portal.languages import LANGUAGES, Catalogs

LANGUAGE_NAMES = {Language.KK: "Қазақша", Language.RU: "Русский", Language.EN: "English"}
"""Each language named in itself, as a language switch should."""

STATIC_MAX_AGE_S = 365 * 24 * 3600
"""Static files are addressed by their content's hash: a changed file is a new address."""


@dataclass(frozen=True)
class Alternate:
    """The page in another language: its address, and the switch that also keeps the choice."""

    language: Language
    label: str
    page: str
    switch: str
    current: bool


class StaticFiles:
    """The package's static files, addressed with a hash of their content."""

    def __init__(self) -> None:
        folder = resources.files("contest_portal").joinpath("static")
        self.versions = {
            item.name: hashlib.sha256(item.read_bytes()).hexdigest()[:12]
            for item in folder.iterdir()
            if item.is_file()
        }

    def url(self, name: str) -> str:
        """The address of a static file (`/static/portal.css?v=<hash>`)."""
        return f"/static/{name}?v={self.versions[name]}"


class Renderer:
    """Makes a page: a template, the reader's language, the caching headers."""

    def __init__(
        self, catalogs: Catalogs, static: StaticFiles, max_age_s: int, sign_in: bool = False
    ) -> None:
        self.catalogs, self.static, self.max_age_s = catalogs, static, max_age_s
        self.sign_in = sign_in
        """Whether the pages offer sign-in (the same link for everyone: pages are cached)."""
        self.environment = Environment(
            loader=PackageLoader("contest_portal", "templates"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def page(
        self,
        request: Request,
        language: Language,
        template: str,
        *,
        status_code: int = 200,
        cacheable: bool = True,
        personal: bool = False,
        **context: Any,
    ) -> Response:
        """The page ``template`` in ``language``; a public, revalidatable page unless
        ``cacheable`` is false (errors: kept by nobody) or ``personal`` (a page made from
        the reader's session: `private, no-store`, so no cache keeps or shares it)."""
        body = (
            self.environment.get_template(template)
            .render(**self.context(request, language), **context)
            .encode("utf-8")
        )
        if personal or not cacheable:
            return Response(
                body,
                status_code=status_code,
                media_type="text/html; charset=utf-8",
                headers={"Cache-Control": "private, no-store" if personal else "no-store"},
            )
        return revalidated(request, body, f"public, max-age={self.max_age_s}", status_code)

    def fragment(self, request: Request, language: Language, template: str, **context: Any) -> str:
        """A part of a page (one that a script puts in place of the old one), made like a
        page: the same words and formats."""
        return self.environment.get_template(template).render(
            **self.context(request, language), **context
        )

    def context(self, request: Request, language: Language) -> dict[str, Any]:
        """What every template can use: the words, the formats, the addresses."""
        translations = self.catalogs[language]
        here = _without_language(request)

        @pass_eval_context
        def gettext(eval_context: EvalContext, message: str, **variables: Any) -> str:
            text = translations.gettext(message)
            if eval_context.autoescape:
                text = Markup(text)
            return text % variables if variables else text

        @pass_eval_context
        def ngettext(
            eval_context: EvalContext, singular: str, plural: str, count: int, **variables: Any
        ) -> str:
            text = translations.ngettext(singular, plural, count)
            if eval_context.autoescape:
                text = Markup(text)
            variables.setdefault("num", formats.number(count, language))
            return text % variables

        def url(path: str, **query: str | None) -> str:
            kept = {key: value for key, value in query.items() if value}
            return f"/{language.value}{path}" + (f"?{urlencode(kept)}" if kept else "")

        return {
            "lang": language.value,
            "sign_in": self.sign_in,
            "_": gettext,
            "gettext": gettext,
            "ngettext": ngettext,
            "url": url,
            "segment": lambda value: quote(value, safe=""),
            "static": self.static.url,
            "switch": [
                Alternate(
                    language=other,
                    label=LANGUAGE_NAMES[other],
                    page=f"/{other.value}{here}",
                    switch=f"/language/{other.value}?{urlencode({'next': here})}",
                    current=other is language,
                )
                for other in LANGUAGES
            ],
            "text": lambda localized: formats.in_language(localized, language),
            "day": lambda moment: formats.local_date(moment, language),
            "moment": lambda moment: formats.local_datetime(moment, language),
            "number": lambda value: formats.number(value, language),
            "tenge": lambda amount: formats.tenge(amount, language),
            "score": lambda value: formats.score(value, language),
        }


def _without_language(request: Request) -> str:
    """The request's address without its language prefix, query included (`/contests/x`)."""
    path = request.url.path
    parts = path.split("/", 2)
    rest = "/" + parts[2] if len(parts) > 2 else "/"
    return rest + (f"?{request.url.query}" if request.url.query else "")


def weak_etag(body: bytes) -> str:
    """A weak validator of a body: equal bodies, equal tags."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(body).digest()[:18]).decode("ascii")
    return f'W/"{digest}"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether an `If-None-Match` header names ``tag`` (weak comparison) or is `*`."""
    if not if_none_match:
        return False
    wanted = tag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


def revalidated(
    request: Request,
    body: bytes,
    cache_control: str,
    status_code: int,
    *,
    media_type: str = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> Response:
    """The page (or file) with its ETag, or a 304 when the client already holds this very
    body."""
    tag = weak_etag(body)
    sent = {**(headers or {}), "ETag": tag, "Cache-Control": cache_control}
    if status_code == 200 and matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=sent)
    return Response(body, status_code=status_code, media_type=media_type, headers=sent)
