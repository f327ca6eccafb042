"""The juror's workspace: the contests where they have assignments, their assignments with
the sheets' due dates, an assigned application's fields (labelled in the reader's language)
and files (downloaded through the portal), its rubric sheet (each criterion's description,
weight and maximum) saved and revised until the stage closes, and a declared conflict of interest.

Who may use it: signed-in people with the `juror` role; judging shows each of them only
their own assignments and sheets.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from contest_contracts.common import Language
from contest_portal.pages.files import file_download
from contest_portal.pages.forms import posted
from contest_portal.pages.site import CurrentSite, PageLanguage, Site
from contest_portal.pages.workspace import signed_in_with, workspace_page
from contest_portal.services import attachments, scoring
from contest_portal.services.calls import NotFound, Refused, ServiceUnavailable
from contest_portal.services.identity import SignedIn
from contest_runtime.tokens import Role

router = APIRouter()

Juror = Annotated[SignedIn, Depends(signed_in_with(Role.JUROR))]
COMMENT_MAX = 4000
CONFLICT_REASON_MAX = 1000
_NO_STORE = {"Cache-Control": "no-store"}


@router.get(
    "/{lang}/juror",
    response_class=Response,
    summary="The contests to judge. Who may call: jurors.",
)
async def contests(
    request: Request, lang: PageLanguage, portal: CurrentSite, person: Juror
) -> Response:
    """The contests where the juror has an assignment in force, at either stage."""
    found = await portal.services.intake.contests()
    held = await asyncio.gather(
        *(_holds_any(portal, person, c.definition.contest_id) for c in found)
    )
    mine = [contest for contest, holds in zip(found, held, strict=True) if holds]
    return await workspace_page(request, portal, lang, person, "juror_contests.html", contests=mine)


async def _holds_any(portal: Site, person: SignedIn, contest_id: str) -> bool:
    for stage in scoring.STAGES:
        try:
            if await _assignments(portal, person, contest_id, stage):
                return True
        except NotFound:
            return False  # judging does not know the contest (yet)
    return False


@router.get(
    "/{lang}/juror/{contest_id}",
    response_class=Response,
    summary="The juror's assignments at each stage, with due dates. Who may call: jurors.",
)
async def assignments(
    request: Request,
    lang: PageLanguage,
    portal: CurrentSite,
    person: Juror,
    contest_id: str,
    conflict: Annotated[int | None, Query(ge=0, le=1)] = None,
) -> Response:
    """Every assignment in force, stage by stage; ``conflict`` says one was just declared."""
    contest = await portal.services.intake.contest(contest_id)
    stages = {
        stage: await _assignments(portal, person, contest_id, stage) for stage in scoring.STAGES
    }
    return await workspace_page(
        request,
        portal,
        lang,
        person,
        "juror_assignments.html",
        contest=contest,
        stages=stages,
        conflict=conflict,
    )


@router.get(
    "/{lang}/juror/{contest_id}/{stage}/{application_id}",
    response_class=Response,
    summary="An assigned application, its rubric sheet and the conflict form. Who may call: "
    "the juror assigned to it.",
)
async def sheet(
    request: Request,
    lang: PageLanguage,
    portal: CurrentSite,
    person: Juror,
    contest_id: str,
    stage: str,
    application_id: str,
    saved: Annotated[int | None, Query(ge=0, le=1)] = None,
) -> Response:
    """The sheet as the juror last saved it."""
    return await _sheet_page(
        request, portal, lang, person, contest_id, stage, application_id, saved=saved
    )


@router.get(
    "/{lang}/juror/{contest_id}/{stage}/{application_id}/files/{attachment_id}",
    response_class=StreamingResponse,
    summary="Download a file of an assigned application, streamed from intake with the "
    "juror's token. Who may call: the juror assigned to it (intake asks judging).",
)
async def download(
    lang: PageLanguage,
    portal: CurrentSite,
    person: Juror,
    contest_id: str,
    stage: str,
    application_id: str,
    attachment_id: str,
) -> StreamingResponse:
    """The file as intake sends it; the 403 page when the juror is not (or no longer) assigned."""
    _stage(stage)
    return await file_download(portal, person, application_id, attachment_id)


@router.post(
    "/{lang}/juror/{contest_id}/{stage}/{application_id}/sheet",
    response_class=Response,
    summary="Save or revise the sheet while the stage is open. Who may call: the juror "
    "assigned to it, with the form's CSRF token.",
)
async def save_sheet(
    request: Request,
    lang: PageLanguage,
    portal: CurrentSite,
    person: Juror,
    contest_id: str,
    stage: str,
    application_id: str,
) -> Response:
    """Scores per criterion and a comment; the sheet again with what was typed on a refusal."""
    fields, _ = await posted(request, portal.sessions, most_bytes=32_768, most_fields=40)
    entered = {k[len("score-") :]: v.strip() for k, v in fields.items() if k.startswith("score-")}
    comment = fields.get("comment", "")
    scores: dict[str, int] = {}
    wrong = [code for code, value in entered.items() if not value.isdigit()]
    code: str | None = "invalid_sheet" if wrong else None
    if code is None and len(comment) > COMMENT_MAX:
        code = "comment_too_long"
    if code is None:
        scores = {criterion: int(value) for criterion, value in entered.items()}
        try:
            await scoring.record_sheet(
                portal.services.judging.client,
                person.access_token,
                contest_id,
                _stage(stage),
                application_id,
                scores,
                comment,
            )
        except Refused as refusal:
            code = refusal.code
            wrong = [
                str(e["location"][-1])
                for e in refusal.errors
                if isinstance(e.get("location"), list) and e["location"]
            ]
    if code is None:
        address = _sheet_address(lang, contest_id, stage, application_id) + "?saved=1"
        return RedirectResponse(address, status_code=303, headers=_NO_STORE)
    return await _sheet_page(
        request,
        portal,
        lang,
        person,
        contest_id,
        stage,
        application_id,
        status_code=422,
        sheet_error=code,
        wrong=set(wrong),
        entered={"scores": entered, "comment": comment},
    )


@router.post(
    "/{lang}/juror/{contest_id}/{stage}/{application_id}/conflict",
    response_class=Response,
    summary="Declare a conflict of interest with the application; another juror takes over. "
    "Who may call: jurors, with the form's CSRF token.",
)
async def conflict(
    request: Request,
    lang: PageLanguage,
    portal: CurrentSite,
    person: Juror,
    contest_id: str,
    stage: str,
    application_id: str,
) -> Response:
    """Back to the assignments once declared; the sheet again with the reason on a refusal."""
    fields, _ = await posted(request, portal.sessions, most_bytes=16_384)
    reason = fields.get("reason", "").strip()
    code: str | None = None
    if not reason:
        code = "conflict_reason_required"
    elif len(reason) > CONFLICT_REASON_MAX:
        code = "conflict_reason_too_long"
    else:
        try:
            await scoring.declare_conflict(
                portal.services.judging.client,
                person.access_token,
                contest_id,
                application_id,
                reason,
            )
        except Refused as refusal:
            code = refusal.code
    if code is None:
        address = f"/{lang.value}/juror/{quote(contest_id, safe='')}?conflict=1"
        return RedirectResponse(address, status_code=303, headers=_NO_STORE)
    return await _sheet_page(
        request,
        portal,
        lang,
        person,
        contest_id,
        stage,
        application_id,
        status_code=422,
        conflict_error=code,
        conflict_reason=reason,
    )


def _stage(stage: str) -> str:
    if stage not in scoring.STAGES:
        raise HTTPException(404)
    return stage


def _sheet_address(lang: Language, contest_id: str, stage: str, application_id: str) -> str:
    return (
        f"/{lang.value}/juror/{quote(contest_id, safe='')}/{stage}/{quote(application_id, safe='')}"
    )


async def _assignments(
    portal: Site, person: SignedIn, contest_id: str, stage: str
) -> list[dict[str, Any]]:
    return await scoring.assignments(
        portal.services.judging.client, person.access_token, contest_id, stage
    )


async def _sheet_page(
    request: Request,
    portal: Site,
    lang: Language,
    person: SignedIn,
    contest_id: str,
    stage: str,
    application_id: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    contest = await portal.services.intake.contest(contest_id)
    held = await _assignments(portal, person, contest_id, _stage(stage))
    assignment = next((a for a in held if a["application_id"] == application_id), None)
    if assignment is None:
        raise HTTPException(404)  # not theirs, or no longer (a conflict ended it)
    nomination = next(
        (n for n in contest.definition.nominations if n.code == assignment["nomination_code"]),
        None,
    )
    files: list[dict[str, Any]] | None = None  # None: intake (or judging) cannot say now
    try:
        files = await attachments.files(
            portal.services.intake.client, person.access_token, application_id
        )
    except (Refused, ServiceUnavailable, NotFound):
        files = None
    return await workspace_page(
        request,
        portal,
        lang,
        person,
        "juror_sheet.html",
        status_code=status_code,
        contest=contest,
        stage=stage,
        assignment=assignment,
        nomination=nomination,
        files=files,
        **context,
    )
