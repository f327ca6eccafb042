"""The regional secretary's workspace: the region's screening queue of a contest, with each
application's automatic checks, filters by status and nomination, and decisions (eligible,
or ineligible with a reason) on one application or several at once.

Who may use it: signed-in people with the `secretary` role; intake keeps each of them to
their own region (the token's region claim).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from contest_portal.pages.files import file_download
from contest_portal.pages.forms import posted
from contest_portal.pages.site import CurrentSite, PageLanguage, Site
from contest_portal.pages.workspace import NotAllowed, signed_in_with, workspace_page
from contest_portal.services import screening
from contest_portal.services.calls import Refused
from contest_portal.services.identity import SignedIn
from contest_runtime.tokens import Role

router = APIRouter()

Secretary = Annotated[SignedIn, Depends(signed_in_with(Role.SECRETARY))]
STATUSES = ("submitted", "eligible", "ineligible")
"""The statuses a secretary filters the queue by (drafts are not theirs to screen)."""
PICK = "pick-"
"""Prefix of a checkbox that picks an application for the decision."""
REASON_MAX = 2000


@router.get(
    "/{lang}/secretary",
    response_class=Response,
    summary="The contests to screen. Who may call: regional secretaries.",
)
async def contests(
    request: Request, lang: PageLanguage, portal: CurrentSite, person: Secretary
) -> Response:
    """The contests whose applications the secretary screens."""
    found = await portal.services.intake.contests()
    return await workspace_page(
        request, portal, lang, person, "secretary_contests.html", contests=found
    )


@router.get(
    "/{lang}/secretary/{contest_id}",
    response_class=Response,
    summary="The region's screening queue of a contest. Who may call: regional secretaries.",
)
async def queue(
    request: Request,
    lang: PageLanguage,
    portal: CurrentSite,
    person: Secretary,
    contest_id: str,
    status: Annotated[str | None, Query(max_length=32)] = None,
    nomination: Annotated[str | None, Query(max_length=64)] = None,
    after: Annotated[str | None, Query(max_length=128)] = None,
    done: Annotated[int | None, Query(ge=0, le=1000)] = None,
) -> Response:
    """The queue, filtered; ``done`` says how many decisions were just recorded."""
    return await _queue_page(
        request, portal, lang, person, contest_id, status, nomination, after, done=done
    )


@router.get(
    "/{lang}/secretary/{contest_id}/files/{application_id}/{attachment_id}",
    response_class=StreamingResponse,
    summary="Download a file of an application in the queue. Who may call: signed-in "
    "secretaries (their region's applications; intake decides).",
)
async def download(
    lang: PageLanguage,
    portal: CurrentSite,
    person: Secretary,
    contest_id: str,
    application_id: str,
    attachment_id: str,
) -> StreamingResponse:
    """The file as intake sends it; the 403 page for another region's application."""
    return await file_download(portal, person, application_id, attachment_id)


@router.post(
    "/{lang}/secretary/{contest_id}/screening",
    response_class=Response,
    summary="Decide the picked applications eligible or ineligible. Who may call: regional "
    "secretaries (their region's applications), with the form's CSRF token.",
)
async def decide(
    request: Request, lang: PageLanguage, portal: CurrentSite, person: Secretary, contest_id: str
) -> Response:
    """Record one decision on every picked application; back to the queue with how many."""
    fields, _ = await posted(
        request, portal.sessions, most_bytes=32_768, most_fields=screening.QUEUE_PAGE + 8
    )
    picked = [name[len(PICK) :] for name in fields if name.startswith(PICK)]
    decision = fields.get("decision", "")
    reason = fields.get("reason", "").strip()
    status, nomination = fields.get("status") or None, fields.get("nomination") or None
    error: tuple[str, str] | None = None
    if not picked:
        error = ("none_picked", "queue")
    elif decision not in ("eligible", "ineligible"):
        error = ("decision_missing", "decision-eligible")
    elif decision == "ineligible" and not reason:
        error = ("reason_required", "reason")
    elif len(reason) > REASON_MAX:
        error = ("reason_too_long", "reason")
    refused: dict[str, str] = {}
    if error is None:
        for application_id in picked:
            try:
                await screening.screen(
                    portal.services.intake.client,
                    person.access_token,
                    application_id,
                    decision,
                    reason or None,
                )
            except Refused as refusal:
                refused[application_id] = refusal.code
    if error is None and not refused:
        back = {"done": len(picked)} | ({"status": status} if status else {})
        back |= {"nomination": nomination} if nomination else {}
        address = f"/{lang.value}/secretary/{quote(contest_id, safe='')}?{urlencode(back)}"
        return RedirectResponse(address, status_code=303, headers={"Cache-Control": "no-store"})
    return await _queue_page(
        request,
        portal,
        lang,
        person,
        contest_id,
        status,
        nomination,
        None,
        status_code=422,
        error=error,
        refused=refused,
        entered={"decision": decision, "reason": reason, "picked": set(picked)},
        done=len(picked) - len(refused) if error is None else None,
    )


async def _queue_page(
    request: Request,
    portal: Site,
    lang: Any,
    person: SignedIn,
    contest_id: str,
    status: str | None,
    nomination: str | None,
    after: str | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    contest = await portal.services.intake.contest(contest_id)
    codes = {n.code for n in contest.definition.nominations}
    status = status if status in STATUSES else None
    nomination = nomination if nomination in codes else None
    try:
        page = await screening.queue(
            portal.services.intake.client,
            person.access_token,
            contest_id,
            status=status,
            nomination=nomination,
            after=after,
        )
    except Refused as refusal:  # e.g. a secretary whose token names no region
        raise NotAllowed((Role.SECRETARY,)) from refusal
    return await workspace_page(
        request,
        portal,
        lang,
        person,
        "secretary_queue.html",
        status_code=status_code,
        contest=contest,
        page=page,
        status=status,
        nomination=nomination,
        statuses=STATUSES,
        **context,
    )
