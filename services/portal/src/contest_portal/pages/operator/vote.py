"""The operator's control of the public vote: its state and its close, and fraud
invalidations, each previewed first (what it would take out of the count, nothing written)
and then confirmed, with the audit of every invalidation: who, when, why."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from ipaddress import ip_network
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from contest_contracts.common import Language
from contest_portal.formats import KAZAKHSTAN_TIME
from contest_portal.pages.forms import posted
from contest_portal.pages.operator.contests import LOCAL_MINUTE, Operator
from contest_portal.pages.site import CurrentSite, PageLanguage, Site
from contest_portal.pages.workspace import workspace_page
from contest_portal.services import definitions, vote_control
from contest_portal.services.calls import Refused
from contest_portal.services.identity import SignedIn

router = APIRouter()

REASON_LENGTH = (3, 1000)
"""The shortest and longest reason voting records for an invalidation."""
FIELDS = ("reason", "kind", "phone", "cast_from", "cast_until", "client_network")


@router.get("/{lang}/operator/contests/{contest_id}/vote", response_class=Response)
async def vote_page(
    request: Request,
    lang: PageLanguage,
    contest_id: str,
    portal: CurrentSite,
    person: Operator,
    done: str | None = None,
) -> Response:
    """The public vote: its state, its close, invalidations and their audit. Who may use
    it: operators."""
    return await _vote(request, portal, lang, person, contest_id, done=done)


@router.post("/{lang}/operator/contests/{contest_id}/vote/close", response_class=Response)
async def close_vote(
    request: Request, lang: PageLanguage, contest_id: str, portal: CurrentSite, person: Operator
) -> Response:
    """Close the public vote now. Who may use it: operators."""
    await posted(request, portal.sessions)
    try:
        await vote_control.close(portal.services.voting.client, person.access_token, contest_id)
    except Refused as refused:
        return await _vote(
            request, portal, lang, person, contest_id, close_refused=refused.code, status=409
        )
    return RedirectResponse(_address(lang, contest_id, "/vote?done=closed"), 303)


@router.post(
    "/{lang}/operator/contests/{contest_id}/vote/invalidations/preview", response_class=Response
)
async def preview_invalidation(
    request: Request, lang: PageLanguage, contest_id: str, portal: CurrentSite, person: Operator
) -> Response:
    """What an invalidation would take out of the count, before it is decided: nothing is
    written. Who may use it: operators."""
    return await _invalidation(request, portal, lang, person, contest_id, decide=False)


@router.post("/{lang}/operator/contests/{contest_id}/vote/invalidations", response_class=Response)
async def invalidate(
    request: Request, lang: PageLanguage, contest_id: str, portal: CurrentSite, person: Operator
) -> Response:
    """Decide a previewed invalidation: its ballots leave the tally at once. Who may use
    it: operators."""
    return await _invalidation(request, portal, lang, person, contest_id, decide=True)


async def _invalidation(
    request: Request,
    portal: Site,
    lang: Language,
    person: SignedIn,
    contest_id: str,
    *,
    decide: bool,
) -> Response:
    fields, _ = await posted(request, portal.sessions)
    entered = {name: fields.get(name, "").strip() for name in FIELDS}
    body, problems = invalidation_request(entered)
    if problems:
        return await _vote(
            request,
            portal,
            lang,
            person,
            contest_id,
            entered=entered,
            problems=problems,
            status=422,
        )
    client, token = portal.services.voting.client, person.access_token
    try:
        if decide:
            await vote_control.invalidate(client, token, contest_id, body)
        else:
            previewed = await vote_control.preview(client, token, contest_id, body)
    except Refused as refused:
        return await _vote(
            request,
            portal,
            lang,
            person,
            contest_id,
            entered=entered,
            problems=[(refused.code, _field_of(refused, entered))],
            status=refused.status,
        )
    if decide:
        return RedirectResponse(_address(lang, contest_id, "/vote?done=invalidated"), 303)
    return await _vote(
        request, portal, lang, person, contest_id, entered=entered, preview=previewed
    )


def invalidation_request(entered: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Voting's invalidation request from the form's fields (Kazakhstan time), or the
    problems that keep it from being asked, each ``(code, field)``."""
    problems: list[tuple[str, str]] = []
    reason = entered["reason"]
    if len(reason) < REASON_LENGTH[0]:
        problems.append(("invalidation_reason_missing", "reason"))
    elif len(reason) > REASON_LENGTH[1]:
        problems.append(("reason_too_long", "reason"))
    body: dict[str, Any] = {"reason": reason}
    if entered["kind"] == "voter":
        if not entered["phone"]:
            problems.append(("phone_missing", "phone"))
        body["voter"] = {"phone": entered["phone"]}
    elif entered["kind"] == "window":
        moments = {}
        for edge in ("cast_from", "cast_until"):
            moment = _local_moment(entered[edge])
            if moment is None:
                problems.append(("unreadable_moment", edge))
            else:
                moments[edge] = moment.isoformat()
        if len(moments) == 2 and moments["cast_from"] >= moments["cast_until"]:
            problems.append(("window_reversed", "cast_until"))
        try:
            network = str(ip_network(entered["client_network"], strict=False))
        except ValueError:
            problems.append(("network_invalid", "client_network"))
            network = ""
        body["window"] = {**moments, "client_network": network}
    else:
        problems.append(("selection_missing", "kind-voter"))
    return body, problems


def _local_moment(value: str) -> datetime | None:
    try:
        local = datetime.strptime(value, LOCAL_MINUTE)
    except ValueError:
        return None
    return local.replace(tzinfo=KAZAKHSTAN_TIME).astimezone(UTC)


def _field_of(refused: Refused, entered: dict[str, str]) -> str:
    """The field a refusal of voting concerns (the form's first when it names none)."""
    if refused.code == "invalid_phone":
        return "phone"
    if refused.code == "vote_certified":
        return "invalidate"
    return "reason"


def _address(lang: Language, contest_id: str, rest: str) -> str:
    return f"/{lang.value}/operator/contests/{quote(contest_id, safe='')}{rest}"


async def _vote(
    request: Request,
    portal: Site,
    lang: Language,
    person: SignedIn,
    contest_id: str,
    *,
    status: int = 200,
    **context: Any,
) -> Response:
    token, voting = person.access_token, portal.services.voting.client
    contest, state, audit = await asyncio.gather(
        definitions.current(portal.services.intake.client, token, contest_id),
        vote_control.state(voting, token, contest_id),
        vote_control.invalidations(voting, token, contest_id),
    )
    context.setdefault("entered", {name: "" for name in FIELDS})
    context.setdefault("problems", [])
    return await workspace_page(
        request,
        portal,
        lang,
        person,
        "operator_vote.html",
        status_code=status if 400 <= status < 500 else 200,
        contest=contest,
        definition=contest.definition,
        vote=state,
        invalidations=list(reversed(audit)),
        nominations={n.code: n.title for n in contest.definition.nominations},
        **context,
    )
