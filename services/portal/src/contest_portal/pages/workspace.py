"""What every workspace page shares: who may see it, and how it is made.

A workspace page is a signed-in person's: :func:`signed_in_with` lets in a person holding
one of its roles, sends anyone not signed in to sign in (and back to the same address), and
answers a signed-in person without the role with the 403 page. :func:`workspace_page` makes
the page `private, no-store`, with the form's CSRF token, the header naming the person's
account, and their cookie written again when their tokens were refreshed for it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from starlette.responses import Response

from contest_contracts.common import Language
from contest_portal.headers import policy_with_forms_to
from contest_portal.languages import DEFAULT, LANGUAGES
from contest_portal.pages.site import Site
from contest_portal.services.identity import SignedIn, SignInRefused
from contest_runtime.tokens import Role

log = logging.getLogger(__name__)

REFRESH_BEFORE_S = 60
"""An access token with less left than this is refreshed before a page uses it."""


class SignInNeeded(Exception):
    """No one is signed in: the page is shown after signing in (``next``)."""

    def __init__(self, language: Language, next_page: str) -> None:
        super().__init__(next_page)
        self.language, self.next_page = language, next_page


class NotAllowed(Exception):
    """The person signed in holds none of the page's roles."""

    def __init__(self, roles: tuple[Role, ...]) -> None:
        super().__init__(", ".join(role.value for role in roles))
        self.roles = roles


def signed_in_with(
    *roles: Role,
) -> Callable[[Request], Coroutine[Any, Any, SignedIn]]:
    """FastAPI dependency: the signed-in person holding one of ``roles`` (any role when none
    is named); :class:`SignInNeeded` or :class:`NotAllowed` otherwise (pages of their own,
    made by :mod:`.errors`)."""

    async def dependency(request: Request) -> SignedIn:
        portal: Site = request.app.state.site
        person = await current_person(request, portal)
        if person is None:
            raise SignInNeeded(_language_of_address(request), _page_of(request))
        if roles and not set(person.roles) & {role.value for role in roles}:
            raise NotAllowed(roles)
        return person

    return dependency


async def workspace_page(
    request: Request,
    portal: Site,
    language: Language,
    person: SignedIn,
    template: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """The page ``template`` for ``person``: kept by no cache, with the CSRF token of its
    forms (``csrf``) and the person (``person``) in its context."""
    session = portal.sessions.read(request)
    response = portal.renderer.page(
        request,
        language,
        template,
        status_code=status_code,
        personal=True,
        person=person,
        csrf=session.csrf,
        **context,
    )
    portal.sessions.write(request, response, session)
    if getattr(request.state, "refreshed_person", None) is person:
        portal.signins.write(request, response, person)
    provider_origin = await portal.identity.sign_out_origin() if portal.identity else None
    if provider_origin:
        # A sign-out form ends at the provider: browsers hold its redirect to form-action.
        response.headers["content-security-policy"] = policy_with_forms_to(provider_origin)
    return response


def _page_of(request: Request) -> str:
    """The request's address without its language: where to come back after signing in."""
    path = request.url.path
    parts = path.split("/", 2)
    rest = "/" + parts[2] if len(parts) > 2 else "/"
    return rest + (f"?{request.url.query}" if request.url.query else "")


def _language_of_address(request: Request) -> Language:
    lang = request.path_params.get("lang")
    return next((language for language in LANGUAGES if language.value == lang), DEFAULT)


async def current_person(request: Request, portal: Site) -> SignedIn | None:
    """The person signed in in this browser, their access token refreshed when it is about to
    run out; ``None`` when no one is, or the provider no longer lets them stay signed in."""
    person = portal.signins.read(request)
    if person is None or portal.identity is None:
        return None
    if person.expires_at - time.time() > REFRESH_BEFORE_S:
        return person
    try:
        refreshed = await portal.identity.refreshed(person)
    except SignInRefused as refused:
        log.info("sign-in ended", extra={"subject": person.subject, "reason": str(refused)})
        return None
    request.state.refreshed_person = refreshed
    return refreshed
