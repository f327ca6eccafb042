"""The commission secretary's workspace: each stage's sheets per juror with the missing ones
named, and after a stage's close its ranking explained sheet by sheet.

Who may use it: signed-in people with the `commission_secretary` role; judging shows a
ranking only to the commission that judged it (its members, secretary included).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from starlette.responses import Response

from contest_portal.pages.site import CurrentSite, PageLanguage
from contest_portal.pages.workspace import NotAllowed, signed_in_with, workspace_page
from contest_portal.services import scoring
from contest_portal.services.calls import Refused
from contest_portal.services.identity import SignedIn
from contest_runtime.tokens import Role

router = APIRouter()

CommissionSecretary = Annotated[SignedIn, Depends(signed_in_with(Role.COMMISSION_SECRETARY))]


@router.get(
    "/{lang}/commission",
    response_class=Response,
    summary="The contests of the commission. Who may call: commission secretaries.",
)
async def contests(
    request: Request, lang: PageLanguage, portal: CurrentSite, person: CommissionSecretary
) -> Response:
    """The contests whose judging the secretary follows."""
    found = await portal.services.intake.contests()
    return await workspace_page(
        request, portal, lang, person, "commission_contests.html", contests=found
    )


@router.get(
    "/{lang}/commission/{contest_id}",
    response_class=Response,
    summary="Sheets per juror at each stage, the missing ones named. Who may call: commission "
    "secretaries.",
)
async def sheets(
    request: Request,
    lang: PageLanguage,
    portal: CurrentSite,
    person: CommissionSecretary,
    contest_id: str,
) -> Response:
    """Each stage's progress per commission and juror, with links to its rankings."""
    contest = await portal.services.intake.contest(contest_id)
    try:
        stages = {
            stage: await scoring.progress(
                portal.services.judging.client, person.access_token, contest_id, stage
            )
            for stage in scoring.STAGES
        }
    except Refused as refusal:
        raise NotAllowed((Role.COMMISSION_SECRETARY,)) from refusal
    return await workspace_page(
        request, portal, lang, person, "commission_sheets.html", contest=contest, stages=stages
    )


@router.get(
    "/{lang}/commission/{contest_id}/{stage}/ranking",
    response_class=Response,
    summary="A closed stage's ranking sheet by sheet. Who may call: commission secretaries "
    "of the commission that judged it.",
)
async def ranking(
    request: Request,
    lang: PageLanguage,
    portal: CurrentSite,
    person: CommissionSecretary,
    contest_id: str,
    stage: str,
    nomination: Annotated[str, Query(max_length=64)],
) -> Response:
    """The ranking of a nomination (in the secretary's region at the regional stage), or a
    sentence saying why it is not shown yet."""
    if stage not in scoring.STAGES:
        raise HTTPException(404)
    contest = await portal.services.intake.contest(contest_id)
    chosen = next((n for n in contest.definition.nominations if n.code == nomination), None)
    if chosen is None:
        raise HTTPException(404)
    region = person.region if stage == "regional" else None
    explained, refused = None, None
    try:
        explained = await scoring.ranking(
            portal.services.judging.client,
            person.access_token,
            contest_id,
            stage,
            nomination,
            region,
        )
    except Refused as refusal:
        refused = refusal.code
    names: dict[str, str] = {}
    if explained is not None:
        names = {
            member.juror_id: member.name
            for commission in await portal.services.records.commissions(
                contest_id, person.access_token
            )
            for member in commission.members
        }
    return await workspace_page(
        request,
        portal,
        lang,
        person,
        "commission_ranking.html",
        status_code=200 if refused in (None, "scores_sealed") else 403,
        contest=contest,
        stage=stage,
        nomination=chosen,
        ranking=explained,
        names=names,
        refused=refused,
    )
