"""Refusals as pages in the reader's language: an address whose query the page cannot read
(400), nothing found (404), a service that does not answer (503), a workspace page for
someone not signed in (to sign in, and back) or without its role (403), any other HTTP error.
Never a raw code, never FastAPI's JSON, never a stack trace."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from contest_contracts.common import Language
from contest_portal.documents import FontMissing
from contest_portal.languages import COOKIE, LANGUAGES, chosen_language
from contest_portal.pages.site import Site
from contest_portal.pages.workspace import NotAllowed, SignInNeeded
from contest_portal.services import NotFound, ServiceUnavailable

log = logging.getLogger(__name__)


def language_of(request: Request) -> Language:
    """The language of the address, else the reader's choice."""
    prefix = request.url.path.split("/")[1] if request.url.path.count("/") >= 1 else ""
    for language in LANGUAGES:
        if language.value == prefix:
            return language
    return chosen_language(request.cookies.get(COOKIE), request.headers.get("accept-language"))


def refusal(request: Request, status_code: int, headers: dict[str, str] | None = None) -> Response:
    """The error page of ``status_code``, kept by no cache."""
    site: Site = request.app.state.site
    response = site.renderer.page(
        request,
        language_of(request),
        "error.html",
        status_code=status_code,
        cacheable=False,
        status=status_code,
    )
    response.headers.update(headers or {})
    return response


def install_error_pages(app: FastAPI) -> None:
    """Every refusal of the portal as a page."""

    async def not_found(request: Request, error: Exception) -> Response:
        return refusal(request, 404)

    async def unavailable(request: Request, error: Exception) -> Response:
        assert isinstance(error, ServiceUnavailable)
        log.warning("page not made: a service does not answer", extra={"service": error.service})
        return refusal(request, 503, {"Retry-After": "10"})

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        return refusal(request, error.status_code, dict(error.headers or {}))

    async def unreadable(request: Request, error: Exception) -> Response:
        return refusal(request, 400)

    async def sign_in_first(request: Request, error: Exception) -> Response:
        assert isinstance(error, SignInNeeded)
        back = urlencode({"next": error.next_page})
        return RedirectResponse(
            f"/{error.language.value}/sign-in?{back}",
            status_code=303,
            headers={"Cache-Control": "no-store"},
        )

    async def not_allowed(request: Request, error: Exception) -> Response:
        assert isinstance(error, NotAllowed)
        site: Site = request.app.state.site
        return site.renderer.page(
            request,
            language_of(request),
            "not_allowed.html",
            status_code=403,
            personal=True,
            roles=[role.value for role in error.roles],
        )

    async def no_font(request: Request, error: Exception) -> Response:
        log.error("document not made: its font is missing", extra={"fonts": str(error)})
        site: Site = request.app.state.site
        return site.renderer.page(
            request,
            language_of(request),
            "documents_unavailable.html",
            status_code=503,
            cacheable=False,
        )

    app.add_exception_handler(RequestValidationError, unreadable)
    app.add_exception_handler(FontMissing, no_font)
    app.add_exception_handler(SignInNeeded, sign_in_first)
    app.add_exception_handler(NotAllowed, not_allowed)
    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(ServiceUnavailable, unavailable)
    app.add_exception_handler(HTTPException, http_error)
