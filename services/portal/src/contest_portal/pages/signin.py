"""Signing in and out at the identity provider, and the signed-in person's account page.

The way in for everyone who works on a contest; voters never sign in. A person's pages
are `private, no-store`: no cache keeps or shares them.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.responses import RedirectResponse, Response

from contest_contracts.common import Language
from contest_portal.languages import LANGUAGES
from contest_portal.pages.forms import posted
from contest_portal.pages.language import own_page
from contest_portal.pages.site import CurrentSite, PageLanguage, Site
from contest_portal.pages.workspace import current_person, workspace_page
from contest_portal.services.identity import (
    IdentityProvider,
    PendingSignIn,
    SignInRefused,
)

router = APIRouter()

log = logging.getLogger(__name__)

CALLBACK = "/auth/callback"
"""Where the provider sends the browser back: the redirect URI registered for the portal."""

_NO_STORE = {"Cache-Control": "no-store"}


@router.get("/{lang}/sign-in", response_class=Response)
async def sign_in(
    request: Request,
    lang: PageLanguage,
    portal: CurrentSite,
    next: Annotated[str, Query(max_length=2048)] = "/account",
) -> Response:
    """Leave for the provider's sign-in page, in the person's language; they come back to
    ``next`` (a page of this site). Who may use it: anyone."""
    identity = _provider(portal)
    pending = PendingSignIn(
        state=secrets.token_urlsafe(24),
        nonce=secrets.token_urlsafe(24),
        verifier=secrets.token_urlsafe(48),
        language=lang.value,
        next=own_page(next),
    )
    address = await identity.sign_in_address(pending, _address(request, portal, CALLBACK))
    response = RedirectResponse(address, status_code=303, headers=_NO_STORE)
    portal.signins.write_pending(request, response, pending)
    return response


@router.get(CALLBACK, response_class=Response)
async def signed_in(
    request: Request,
    portal: CurrentSite,
    code: Annotated[str | None, Query(max_length=2048)] = None,
    state: Annotated[str | None, Query(max_length=512)] = None,
    error: Annotated[str | None, Query(max_length=256)] = None,
) -> Response:
    """The provider's answer to a sign-in begun in this browser: the person is signed in and
    sent on. Who may use it: the browser that began the sign-in (its `state` must match)."""
    identity = _provider(portal)
    pending = portal.signins.read_pending(request)
    language = _language(pending.language if pending else None)
    if pending is None or not state or not hmac.compare_digest(state, pending.state):
        log.warning("sign-in refused: its return does not match a sign-in begun here")
        return _failed(request, portal, language)
    if error or not code:
        log.info("sign-in not completed at the provider", extra={"error": (error or "")[:64]})
        return _failed(request, portal, language)
    try:
        person = await identity.signed_in(code, pending, _address(request, portal, CALLBACK))
    except SignInRefused as refused:
        log.warning("sign-in refused", extra={"reason": str(refused)})
        return _failed(request, portal, language)
    log.info("signed in", extra={"subject": person.subject, "roles": list(person.roles)})
    response = RedirectResponse(f"/{language.value}{pending.next}", 303, headers=_NO_STORE)
    portal.signins.write(request, response, person)
    return response


@router.get("/{lang}/account", response_class=Response)
async def account(request: Request, lang: PageLanguage, portal: CurrentSite) -> Response:
    """Who is signed in, with which roles, and the way out. Who may use it: a signed-in
    person (anyone else is sent to sign in)."""
    _provider(portal)
    person = await current_person(request, portal)
    if person is None:
        away = RedirectResponse(f"/{lang.value}/sign-in?next=/account", 303, headers=_NO_STORE)
        portal.signins.forget(away)  # a sign-in the provider ended is not tried again
        return away
    return await workspace_page(request, portal, lang, person, "account.html")


@router.post("/{lang}/sign-out", response_class=Response)
async def sign_out(request: Request, lang: PageLanguage, portal: CurrentSite) -> Response:
    """Sign out of the portal and of the provider's session, then back to the site. Who may
    use it: anyone, with the form's CSRF token (signing out a signed-out browser does no
    harm)."""
    identity = _provider(portal)
    await posted(request, portal.sessions)
    person = portal.signins.read(request)
    back = await identity.sign_out_address(person, _address(request, portal, "/"))
    response = RedirectResponse(back or f"/{lang.value}/", 303, headers=_NO_STORE)
    portal.signins.forget(response)
    if person is not None:
        log.info("signed out", extra={"subject": person.subject})
    return response


def _provider(portal: Site) -> IdentityProvider:
    if portal.identity is None:
        raise HTTPException(404)  # this site has no sign-in
    return portal.identity


def _address(request: Request, portal: Site, path: str) -> str:
    """An absolute address of this site: from `PORTAL_PUBLIC_URL`, else the request's."""
    base = str(portal.public_url or request.base_url).rstrip("/")
    return base + path


def _language(value: str | None) -> Language:
    return next((language for language in LANGUAGES if language.value == value), Language.RU)


def _failed(request: Request, portal: Site, language: Language) -> Response:
    return portal.renderer.page(
        request, language, "signin_failed.html", status_code=400, cacheable=False
    )
