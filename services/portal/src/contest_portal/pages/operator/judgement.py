"""The operator's control of judging: a stage's progress and its close (the missing sheets
shown first, then closed anyway if the operator so decides), the commission's special
prizes with their reasons, and the results published."""

from __future__ import annotations

import asyncio
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from contest_contracts.common import Language
from contest_portal.pages.forms import posted
from contest_portal.pages.operator.contests import Operator
from contest_portal.pages.site import CurrentSite, PageLanguage, Site
from contest_portal.pages.workspace import workspace_page
from contest_portal.services import definitions, stage_control
from contest_portal.services.calls import Refused
from contest_portal.services.identity import SignedIn
from contest_portal.services.intake import Contest
from contest_portal.services.stage_control import RankedEntry

router = APIRouter()

REASON_MAX_LENGTH = 1000
"""The longest reason judging records for a special prize."""


class JudgedStage(StrEnum):
    """The stages judging runs (a segment of the address)."""

    REGIONAL = "regional"
    REPUBLICAN = "republican"


@router.get("/{lang}/operator/contests/{contest_id}/stages/{stage}", response_class=Response)
async def stage_page(
    request: Request,
    lang: PageLanguage,
    contest_id: str,
    stage: JudgedStage,
    portal: CurrentSite,
    person: Operator,
    done: str | None = None,
) -> Response:
    """A judging stage: each commission's sheets sent and missing, and its close. Who may
    use it: operators."""
    return await _stage(request, portal, lang, person, contest_id, stage, done=done)


@router.post("/{lang}/operator/contests/{contest_id}/stages/{stage}/close", response_class=Response)
async def close_stage(
    request: Request,
    lang: PageLanguage,
    contest_id: str,
    stage: JudgedStage,
    portal: CurrentSite,
    person: Operator,
) -> Response:
    """Close the stage; while sheets are missing, the page lists them and offers to close it
    anyway (`force`). Who may use it: operators."""
    fields, _ = await posted(request, portal.sessions)
    force = fields.get("force") == "yes"
    client = portal.services.judging.client
    try:
        await stage_control.close(client, person.access_token, contest_id, stage.value, force=force)
    except Refused as refused:
        missing = stage_control.missing_sheets(refused) if refused.code == "sheets_missing" else []
        return await _stage(
            request,
            portal,
            lang,
            person,
            contest_id,
            stage,
            refused=refused,
            missing=missing,
            status=refused.status,
        )
    return RedirectResponse(_address(lang, contest_id, f"/stages/{stage.value}?done=closed"), 303)


@router.get("/{lang}/operator/contests/{contest_id}/awards", response_class=Response)
async def awards_page(
    request: Request,
    lang: PageLanguage,
    contest_id: str,
    portal: CurrentSite,
    person: Operator,
    done: str | None = None,
) -> Response:
    """The awards: the commission's special prizes with their reasons, and the results
    published. Who may use it: operators."""
    return await _awards(request, portal, lang, person, contest_id, done=done)


@router.post(
    "/{lang}/operator/contests/{contest_id}/awards/special-prizes", response_class=Response
)
async def give_special_prize(
    request: Request, lang: PageLanguage, contest_id: str, portal: CurrentSite, person: Operator
) -> Response:
    """Record a special prize the commission decided, with its reason. Who may use it:
    operators."""
    fields, _ = await posted(request, portal.sessions)
    entered = {
        "application_id": fields.get("application_id", "").strip(),
        "reason": fields.get("reason", "").strip(),
    }
    problem = None
    if not entered["application_id"]:
        problem = "finalist_missing"
    elif not entered["reason"]:
        problem = "reason_missing"
    elif len(entered["reason"]) > REASON_MAX_LENGTH:
        problem = "reason_too_long"
    if problem is not None:
        return await _awards(
            request,
            portal,
            lang,
            person,
            contest_id,
            prize_refused=problem,
            entered=entered,
            status=422,
        )
    try:
        await stage_control.give_special_prize(
            portal.services.judging.client,
            person.access_token,
            contest_id,
            entered["application_id"],
            entered["reason"],
        )
    except Refused as refused:
        return await _awards(
            request,
            portal,
            lang,
            person,
            contest_id,
            prize_refused=refused.code,
            entered=entered,
            status=refused.status,
        )
    return RedirectResponse(_address(lang, contest_id, "/awards?done=prize"), 303)


@router.post("/{lang}/operator/contests/{contest_id}/awards/results", response_class=Response)
async def publish_results(
    request: Request, lang: PageLanguage, contest_id: str, portal: CurrentSite, person: Operator
) -> Response:
    """Publish the result table (once). Who may use it: operators."""
    await posted(request, portal.sessions)
    try:
        await stage_control.publish(portal.services.judging.client, person.access_token, contest_id)
    except Refused as refused:
        return await _awards(
            request,
            portal,
            lang,
            person,
            contest_id,
            publish_refused=refused.code,
            status=refused.status,
        )
    return RedirectResponse(_address(lang, contest_id, "/awards?done=published"), 303)


def _address(lang: Language, contest_id: str, rest: str) -> str:
    return f"/{lang.value}/operator/contests/{quote(contest_id, safe='')}{rest}"


async def _stage(
    request: Request,
    portal: Site,
    lang: Language,
    person: SignedIn,
    contest_id: str,
    stage: JudgedStage,
    *,
    status: int = 200,
    **context: Any,
) -> Response:
    token = person.access_token
    contest, progress = await asyncio.gather(
        definitions.current(portal.services.intake.client, token, contest_id),
        stage_control.progress(portal.services.judging.client, token, contest_id, stage.value),
    )
    return await workspace_page(
        request,
        portal,
        lang,
        person,
        "operator_stage.html",
        status_code=status if 400 <= status < 500 else 200,
        contest=contest,
        definition=contest.definition,
        stage=stage,
        progress=progress,
        **context,
    )


async def _awards(
    request: Request,
    portal: Site,
    lang: Language,
    person: SignedIn,
    contest_id: str,
    *,
    status: int = 200,
    **context: Any,
) -> Response:
    token, judging = person.access_token, portal.services.judging.client
    contest = await definitions.current(portal.services.intake.client, token, contest_id)
    prizes, published, finalists = await asyncio.gather(
        stage_control.special_prizes(judging, token, contest_id),
        stage_control.published(judging, token, contest_id),
        _finalists(portal, token, contest),
    )
    titles = {
        entry.application_id: entry.title for entries in finalists.values() for entry in entries
    }
    context.setdefault("entered", {})
    return await workspace_page(
        request,
        portal,
        lang,
        person,
        "operator_awards.html",
        status_code=status if 400 <= status < 500 else 200,
        contest=contest,
        definition=contest.definition,
        prizes=prizes,
        published=published,
        finalists=finalists,
        titles=titles,
        **context,
    )


async def _finalists(portal: Site, token: str, contest: Contest) -> dict[str, list[RankedEntry]]:
    """Each nomination's finalists as the republican stage ranked them; none before it
    closes (special prizes go to finalists, in the light of that ranking)."""
    contest_id = contest.definition.contest_id
    codes = [nomination.code for nomination in contest.definition.nominations]
    rankings = await asyncio.gather(
        *(
            stage_control.ranking(
                portal.services.judging.client, token, contest_id, JudgedStage.REPUBLICAN, code
            )
            for code in codes
        )
    )
    return {code: ranking.entries for code, ranking in zip(codes, rankings, strict=True) if ranking}
