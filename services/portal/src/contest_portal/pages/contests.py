"""The contests: the list, and a contest's own page."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from starlette.responses import Response

from contest_contracts.common import NominationKind
from contest_portal.pages.site import CurrentSite, PageLanguage
from contest_portal.timeline import timeline

router = APIRouter()


@router.get("/{lang}/", response_class=Response)
async def contests(request: Request, lang: PageLanguage, portal: CurrentSite) -> Response:
    """Every contest, the newest first, with the stage it is in. Who may use it: anyone."""
    now = portal.clock()
    found = await portal.services.intake.contests()
    found.sort(key=lambda c: min(s.opens_at for s in c.definition.stages), reverse=True)
    listed = [
        (
            contest,
            timeline(contest.definition, now, submission_closed_at=contest.submission_closed_at),
        )
        for contest in found
    ]
    return portal.renderer.page(request, lang, "contests.html", contests=listed)


@router.get("/{lang}/contests/{contest_id}", response_class=Response)
async def contest(
    request: Request, lang: PageLanguage, contest_id: str, portal: CurrentSite
) -> Response:
    """A contest: where it stands, its schedule, nominations, prizes and regions. Who may
    use it: anyone."""
    services = portal.services
    found, vote, results = await asyncio.gather(
        services.intake.contest(contest_id),
        services.voting.vote_state(contest_id),
        services.judging.results(contest_id),
    )
    definition = found.definition
    stages = timeline(
        definition,
        portal.clock(),
        submission_closed_at=found.submission_closed_at,
        vote=vote,
        results_published=results is not None,
    )
    return portal.renderer.page(
        request,
        lang,
        "contest.html",
        contest=found,
        definition=definition,
        timeline=stages,
        vote=vote,
        has_projects=any(n.kind is NominationKind.PROJECT for n in definition.nominations),
    )
