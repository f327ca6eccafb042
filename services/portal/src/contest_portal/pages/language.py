"""The way in: `/` sends a person to the site in their language, and the language switch
keeps their choice in a cookie."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.responses import RedirectResponse, Response

from contest_portal.headers import secure_cookies
from contest_portal.languages import COOKIE, LANGUAGES, chosen_language

router = APIRouter()

CHOICE_KEPT_S = 365 * 24 * 3600


@router.get("/", response_class=Response)
async def way_in(request: Request) -> Response:
    """To the contests in the language of the cookie, else of Accept-Language, else Russian.
    Who may use it: anyone."""
    language = chosen_language(request.cookies.get(COOKIE), request.headers.get("accept-language"))
    return RedirectResponse(
        f"/{language.value}/",
        status_code=303,
        headers={"Cache-Control": "private, no-cache", "Vary": "Cookie, Accept-Language"},
    )


@router.get("/language/{lang}", response_class=Response)
async def switch_language(
    request: Request, lang: str, next: str = Query(default="/", max_length=2048)
) -> Response:
    """Keep the chosen language and show ``next`` (a page of this site) in it. Who may use
    it: anyone."""
    if lang not in {language.value for language in LANGUAGES}:
        raise HTTPException(404)
    response = RedirectResponse(
        f"/{lang}{own_page(next)}", status_code=303, headers={"Cache-Control": "no-store"}
    )
    response.set_cookie(
        COOKIE,
        lang,
        max_age=CHOICE_KEPT_S,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
    )
    return response


def own_page(target: str) -> str:
    """``target`` when it is a path of this site; the home page otherwise (never another
    site: `//host`, `/\\host` and absolute addresses would leave it)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(character) < 0x20 for character in target):
        return "/"
    return target
