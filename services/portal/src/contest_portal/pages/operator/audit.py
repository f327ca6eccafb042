"""The operator's audit log of a contest: judging's audit log (every page), intake's changes
of the vote's visibility and voting's invalidations as one list, newest first, narrowed by
who, what and Kazakhstan days with a GET form (it changes nothing)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from contest_portal import audit_trail
from contest_portal.pages.operator.contests import Operator
from contest_portal.pages.site import CurrentSite, PageLanguage
from contest_portal.pages.workspace import workspace_page
from contest_portal.services import definitions, vote_control
from contest_portal.services.calls import NotFound

router = APIRouter()

FILTERS = ("who", "action", "from", "to")


async def _or_none(read: Any) -> list[Any]:
    """What a service logged of the contest; nothing when it does not know the contest
    (voting knows a contest only once it is defined there)."""
    try:
        found: list[Any] = await read
    except NotFound:
        return []
    return found


@router.get(
    "/{lang}/operator/contests/{contest_id}/audit",
    response_class=Response,
    summary="Who may call: operators.",
)
async def audit_page(
    request: Request, lang: PageLanguage, contest_id: str, portal: CurrentSite, person: Operator
) -> Response:
    """Every audited change of the contest in its three services, newest first, filtered
    by ``who`` (an exact subject), ``action``, ``from`` and ``to`` (Kazakhstan days, both
    included). A day that cannot be read is said by its field. Who may use it: operators."""
    token, services = person.access_token, portal.services
    query = {name: request.query_params.get(name, "") for name in FILTERS}
    by, problems = audit_trail.narrowing(query)
    contest, judged, changes, invalidations = await asyncio.gather(
        definitions.current(services.intake.client, token, contest_id),
        services.records.audit(contest_id, token),
        _or_none(services.records.visibility_changes(contest_id, token)),
        _or_none(vote_control.invalidations(services.voting.client, token, contest_id)),
    )
    trail = audit_trail.merged(
        audit_trail.from_judging(judged),
        audit_trail.from_intake(contest_id, changes),
        audit_trail.from_voting([i.model_dump() for i in invalidations]),
    )
    shown = audit_trail.narrowed(trail, by)
    return await workspace_page(
        request,
        portal,
        lang,
        person,
        "operator_audit.html",
        status_code=422 if problems else 200,
        contest=contest,
        definition=contest.definition,
        entries=shown,
        total=len(trail),
        actions=audit_trail.ACTIONS,
        query=query,
        problems=[(code, field) for field, code in problems.items()],
    )
