"""The vote, one question a page: a nomination's finalists, then the phone number, the code
from the SMS, the confirmation, and the receipt to keep.

Every form is a plain POST: what it asks succeeds with a 303 to the next page
(POST/redirect/GET); what voting refuses is the same page again, with the status of the
refusal and an error summary at its top that links to the field. A voter verified once
votes in other nominations without verifying again: the voter token is in the session.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from contest_contracts.common import Language, NominationKind
from contest_contracts.events.contest import Nomination
from contest_portal.pages.forms import client_address, posted
from contest_portal.pages.site import CurrentSite, PageLanguage, Site
from contest_portal.services import NotFound, Refused
from contest_portal.services.intake import Contest, Project
from contest_portal.services.voting import VoteState, VoteStatus
from contest_portal.sessions import Receipt, VoterSession

router = APIRouter()
log = logging.getLogger(__name__)

VOTE = "/{lang}/contests/{contest_id}/vote/{nomination}"
CHOICE = VOTE + "/{application_id}"
_SEPARATORS = re.compile(r"[\s()\-.]")
CHALLENGE_REFUSALS = frozenset(
    {"challenge_required", "challenge_expired", "challenge_unsolved", "challenge_spent"}
)
"""Voting's refusals of a code request's proof of work (each a sentence of its own)."""


@dataclass(frozen=True)
class Ballot:
    """A nomination's vote as its pages show it."""

    contest: Contest
    nomination: Nomination
    vote: VoteState | None
    finalists: list[Project]

    def finalist(self, application_id: str) -> Project:
        """One of the finalists; :class:`NotFound` for anything else."""
        for project in self.finalists:
            if project.application_id == application_id:
                return project
        raise NotFound(application_id)

    @property
    def open(self) -> bool:
        """Whether voting takes votes now."""
        return self.vote is not None and self.vote.status is VoteStatus.OPEN


async def ballot(portal: Site, contest_id: str, nomination_code: str) -> Ballot:
    """The contest, the nomination, where its vote stands and its finalists (by title);
    :class:`NotFound` for a nomination the contest does not have or that nobody votes in."""
    services = portal.services
    contest, vote = await asyncio.gather(
        services.intake.contest(contest_id), services.voting.vote_state(contest_id)
    )
    nomination = next(
        (
            n
            for n in contest.definition.nominations
            if n.code == nomination_code and n.kind is NominationKind.PROJECT
        ),
        None,
    )
    if nomination is None:
        raise NotFound(nomination_code)
    choices: list[str] | None = None
    if vote is not None:
        try:
            choices = await services.voting.choices(contest_id, nomination_code)
        except NotFound:
            choices = None
    finalists = (
        await services.intake.projects(contest_id, nomination_code, set(choices)) if choices else []
    )
    finalists.sort(key=lambda p: (p.title.casefold(), p.application_id))
    return Ballot(contest, nomination, vote, finalists)


def _path(lang: Language, contest_id: str, nomination: str, *rest: str) -> str:
    """An address of the flow, each segment escaped (they come from the address asked)."""
    segments = [contest_id, "vote", nomination, *rest]
    return f"/{lang.value}/contests/" + "/".join(quote(s, safe="") for s in segments)


def _redirect(to: str) -> Response:
    return RedirectResponse(to, status_code=303, headers={"Cache-Control": "no-store"})


def _page(
    portal: Site,
    request: Request,
    lang: Language,
    template: str,
    session: VoterSession,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """A page of the flow: made from the session, kept by nobody, the session's cookie
    written when it is new or changed."""
    response = portal.renderer.page(
        request,
        lang,
        template,
        status_code=status_code,
        personal=True,
        csrf=session.csrf,
        **context,
    )
    portal.sessions.write(request, response, session)
    return response


@router.get(VOTE, response_class=Response)
async def nomination_vote(
    request: Request, lang: PageLanguage, contest_id: str, nomination: str, portal: CurrentSite
) -> Response:
    """A nomination's finalists as cards, each with a way to vote for it. Who may use it:
    anyone. A public page, except for a voter who voted here already (shown their vote)."""
    found = await ballot(portal, contest_id, nomination)
    session = portal.sessions.read(request)
    voted = None if session.changed else session.receipt(contest_id, nomination)
    response = portal.renderer.page(
        request, lang, "vote.html", personal=voted is not None, ballot=found, voted=voted
    )
    response.headers["Vary"] = "Cookie"
    return response


@router.get(CHOICE + "/phone", response_class=Response)
async def phone_page(
    request: Request,
    lang: PageLanguage,
    contest_id: str,
    nomination: str,
    application_id: str,
    portal: CurrentSite,
) -> Response:
    """Which phone number the code goes to. Who may use it: anyone."""
    found, challenge = await asyncio.gather(
        ballot(portal, contest_id, nomination), portal.services.ballots.challenge()
    )
    project = found.finalist(application_id)
    session = portal.sessions.read(request)
    return _page(
        portal,
        request,
        lang,
        "vote_phone.html",
        session,
        ballot=found,
        project=project,
        challenge=challenge,
    )


@router.post(CHOICE + "/phone", response_class=Response)
async def send_code(
    request: Request,
    lang: PageLanguage,
    contest_id: str,
    nomination: str,
    application_id: str,
    portal: CurrentSite,
) -> Response:
    """Send a one-time code to the number given, then ask for it. Who may use it: anyone
    (voting limits codes per number and per address)."""
    fields, session = await posted(request, portal.sessions)
    phone = written_phone(fields.get("phone", ""))
    error: str | None = "phone_missing" if not phone else None
    wait_s: int | None = None
    if error is None:
        try:
            await portal.services.ballots.send_code(phone, client_address(request), *_work(fields))
        except Refused as refusal:
            error = _phone_refusal(refusal)
            wait_s = refusal.retry_after_s
    if error is None:
        session.phone, session.changed = phone, True
        response = _redirect(_path(lang, contest_id, nomination, application_id, "code"))
        portal.sessions.write(request, response, session)
        return response
    # A new challenge each time the page is made: the one sent may be spent or expired.
    found, challenge = await asyncio.gather(
        ballot(portal, contest_id, nomination), portal.services.ballots.challenge()
    )
    return _page(
        portal,
        request,
        lang,
        "vote_phone.html",
        session,
        status_code=_status(error),
        ballot=found,
        project=found.finalist(application_id),
        challenge=challenge,
        error=error,
        wait_minutes=-(-(wait_s or 60) // 60),
        entered=fields.get("phone", "")[:32],
    )


@router.get(CHOICE + "/code", response_class=Response)
async def code_page(
    request: Request,
    lang: PageLanguage,
    contest_id: str,
    nomination: str,
    application_id: str,
    portal: CurrentSite,
) -> Response:
    """The code from the SMS. Who may use it: anyone who asked for a code."""
    session = portal.sessions.read(request)
    if session.phone is None:
        return _redirect(_path(lang, contest_id, nomination, application_id, "phone"))
    found = await ballot(portal, contest_id, nomination)
    return _page(
        portal,
        request,
        lang,
        "vote_code.html",
        session,
        ballot=found,
        project=found.finalist(application_id),
        phone=masked(session.phone),
    )


@router.post(CHOICE + "/code", response_class=Response)
async def verify_code(
    request: Request,
    lang: PageLanguage,
    contest_id: str,
    nomination: str,
    application_id: str,
    portal: CurrentSite,
) -> Response:
    """Exchange the code for a voter token kept in the session, then confirm. Who may use
    it: anyone who asked for a code."""
    fields, session = await posted(request, portal.sessions)
    if session.phone is None:
        return _redirect(_path(lang, contest_id, nomination, application_id, "phone"))
    code = _SEPARATORS.sub("", fields.get("code", ""))
    error: str | None = None if re.fullmatch(r"\d{6}", code) else "code_format"
    if error is None:
        try:
            token = await portal.services.ballots.verify(session.phone, code)
        except Refused as refusal:
            error = refusal.code
        else:
            session.verified(token.token, token.expires_in_s)
            response = _redirect(_path(lang, contest_id, nomination, application_id, "confirm"))
            portal.sessions.write(request, response, session)
            return response
    found = await ballot(portal, contest_id, nomination)
    return _page(
        portal,
        request,
        lang,
        "vote_code.html",
        session,
        status_code=_status(error),
        ballot=found,
        project=found.finalist(application_id),
        phone=masked(session.phone),
        error=error,
    )


@router.get(CHOICE + "/confirm", response_class=Response)
async def confirm_page(
    request: Request,
    lang: PageLanguage,
    contest_id: str,
    nomination: str,
    application_id: str,
    portal: CurrentSite,
) -> Response:
    """The vote to cast, for a last look. Who may use it: a verified voter (anyone else is
    sent to give their number)."""
    session = portal.sessions.read(request)
    if session.voter_token() is None:
        return _redirect(_path(lang, contest_id, nomination, application_id, "phone"))
    found = await ballot(portal, contest_id, nomination)
    return _page(
        portal,
        request,
        lang,
        "vote_confirm.html",
        session,
        ballot=found,
        project=found.finalist(application_id),
        voted=session.receipt(contest_id, nomination),
    )


@router.post(CHOICE + "/confirm", response_class=Response)
async def cast(
    request: Request,
    lang: PageLanguage,
    contest_id: str,
    nomination: str,
    application_id: str,
    portal: CurrentSite,
) -> Response:
    """Cast the vote, keep its receipt in the session, and show it. Who may use it: a
    verified voter."""
    _, session = await posted(request, portal.sessions)
    token = session.voter_token()
    if token is None:
        return _redirect(_path(lang, contest_id, nomination, application_id, "phone"))
    try:
        receipt = await portal.services.ballots.cast(
            contest_id, nomination, application_id, token, client_address(request)
        )
    except Refused as refusal:
        if refusal.code == "unauthenticated":  # the token expired on the way
            session.token, session.changed = None, True
            response = _redirect(_path(lang, contest_id, nomination, application_id, "phone"))
            portal.sessions.write(request, response, session)
            return response
        if refusal.code == "already_voted" and session.receipt(contest_id, nomination) is None:
            session.keep(Receipt(contest_id, nomination, application_id, "already_voted"))
        found = await ballot(portal, contest_id, nomination)
        project = next((p for p in found.finalists if p.application_id == application_id), None)
        return _page(
            portal,
            request,
            lang,
            "vote_confirm.html",
            session,
            status_code=refusal.status,
            ballot=found,
            project=project,
            voted=None,
            error=refusal.code,
            wait_minutes=1,
        )
    session.keep(
        Receipt(contest_id, nomination, application_id, receipt.status, receipt.receipt_id)
    )
    response = _redirect(_path(lang, contest_id, nomination, "receipt"))
    portal.sessions.write(request, response, session)
    return response


@router.get(VOTE + "/receipt", response_class=Response)
async def receipt_page(
    request: Request, lang: PageLanguage, contest_id: str, nomination: str, portal: CurrentSite
) -> Response:
    """The receipt of this session's vote in a nomination, to keep. Who may use it: the
    voter who cast it (anyone else is sent to the nomination's vote)."""
    session = portal.sessions.read(request)
    kept = session.receipt(contest_id, nomination)
    if kept is None:
        return _redirect(_path(lang, contest_id, nomination))
    found = await ballot(portal, contest_id, nomination)
    project = next((p for p in found.finalists if p.application_id == kept.application_id), None)
    others = [
        n
        for n in found.contest.definition.nominations
        if n.kind is NominationKind.PROJECT
        and n.code != nomination
        and session.receipt(contest_id, n.code) is None
    ]
    return _page(
        portal,
        request,
        lang,
        "vote_receipt.html",
        session,
        ballot=found,
        project=project,
        receipt=kept,
        others=others,
    )


def _work(fields: dict[str, str]) -> tuple[str | None, str | None]:
    """The challenge and the nonce the browser's script filled in (``static/challenge.js``),
    as far as they can be one: voting judges them."""
    challenge = fields.get("challenge", "")[:128] or None
    nonce = fields.get("nonce", "")
    return challenge, nonce if re.fullmatch(r"\d{1,16}", nonce) else None


def _phone_refusal(refusal: Refused) -> str:
    """What the phone page says of voting's refusal of a code request. Voting's own check
    of the number is `invalid_phone`; a number too short or too long for it to read at all
    is its request validation's 422, said the same way."""
    if refusal.code in CHALLENGE_REFUSALS or refusal.status != 422:
        return refusal.code
    return "invalid_phone"


def written_phone(raw: str) -> str:
    """The number as voting reads it: ten digits after the page's +7 are given the +7;
    anything else goes as written (voting says whether it is a Kazakhstan mobile)."""
    digits = _SEPARATORS.sub("", raw.strip())[:32]
    if re.fullmatch(r"7\d{9}", digits):
        return "+7" + digits
    return digits


def masked(phone: str) -> str:
    """A number as a page may show it back: its last two digits only."""
    digits = re.sub(r"\D", "", phone)
    return f"+7 ··· ··· ·· {digits[-2:]}" if len(digits) >= 2 else "+7"


def _status(error: str | None) -> int:
    """The status of a page refusing a form: what voting answered, or 422 for the portal's
    own checks."""
    return {
        "rate_limited": 429,
        "challenge_required": 428,
        "challenge_spent": 409,
        "wrong_code": 401,
        "code_expired": 401,
        "broker_unavailable": 503,
    }.get(error or "", 422)
