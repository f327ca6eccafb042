"""The applicant's workspace (`/{lang}/applicant/...`, role `applicant`): their
applications with each one's timeline, a new application to an open nomination in the form
its contest describes, a draft saved in part and submitted whole, edits before the
deadline, and withdrawal after a confirmation.

Intake decides: a refusal comes back as the sentence next to the field it concerns, the
form keeping what was typed.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.responses import RedirectResponse, Response

from contest_contracts.common import StageKind
from contest_contracts.events.contest import ContestDefinition, Nomination
from contest_portal.pages.application_form import (
    MOST_FORM_BYTES,
    MOST_FORM_FIELDS,
    draft_of,
    entered_of,
    field_errors,
    fields_of,
)
from contest_portal.pages.forms import posted
from contest_portal.pages.site import CurrentSite, PageLanguage, Site
from contest_portal.pages.workspace import signed_in_with, workspace_page
from contest_portal.services import applications
from contest_portal.services.calls import NotFound, Refused, ServiceUnavailable
from contest_portal.services.identity import SignedIn
from contest_portal.services.intake import Contest
from contest_runtime.tokens import Role

router = APIRouter()

Applicant = Annotated[SignedIn, Depends(signed_in_with(Role.APPLICANT))]
EDITABLE = frozenset({"draft", "submitted"})
"""What intake lets an applicant change (until screening decides)."""


def _open(contest: Contest, now: datetime) -> bool:
    """Whether the contest takes applications now (its submission stage, not closed)."""
    if contest.submission_closed_at is not None:
        return False
    stage = next((s for s in contest.definition.stages if s.stage is StageKind.SUBMISSION), None)
    return stage is not None and stage.opens_at <= now < stage.closes_at


def _nomination(definition: ContestDefinition, code: str) -> Nomination:
    found = next((n for n in definition.nominations if n.code == code), None)
    if found is None:
        raise NotFound(code)
    return found


def _intake(portal: Site) -> Any:
    return portal.services.intake.client


@router.get(
    "/{lang}/applicant",
    response_class=Response,
    summary="My applications, and the nominations open to a new one. Who may call: "
    "signed-in applicants.",
)
async def my_applications(
    request: Request, lang: PageLanguage, portal: CurrentSite, person: Applicant
) -> Response:
    mine = await applications.my_applications(_intake(portal), person.access_token)
    contests = {c.definition.contest_id: c for c in await portal.services.intake.contests()}
    now = portal.clock()
    open_contests = [c for c in contests.values() if _open(c, now)]
    standings = await _standings(portal, person, mine, contests)
    return await workspace_page(
        request,
        portal,
        lang,
        person,
        "applicant_applications.html",
        mine=list(reversed(mine)),
        contests=contests,
        open_contests=open_contests,
        standings=standings,
        editable=EDITABLE,
        withdrawn=request.query_params.get("withdrawn"),
        saved=request.query_params.get("saved"),
    )


JUDGED = frozenset({"finalist", "not_selected", "awarded", "not_awarded"})
"""Statuses an application has once a judging stage closed on it."""


async def _standings(
    portal: Site, person: SignedIn, mine: list[dict[str, Any]], contests: dict[str, Contest]
) -> dict[str, list[dict[str, Any]]]:
    """Application id → its standings, for the applications judged in contests that show
    applicants their scores (the others are not asked)."""

    def shown(item: dict[str, Any]) -> bool:
        contest = contests.get(item["contest_id"])
        return (
            item["status"] in JUDGED
            and contest is not None
            and contest.definition.judging.scores_to_applicants
        )

    async def standing(application_id: str) -> list[dict[str, Any]]:
        try:
            found: list[dict[str, Any]] = await applications.standings(
                _intake(portal), person.access_token, application_id
            )
        except (Refused, NotFound, ServiceUnavailable):
            return []  # not to be read now: the card goes without it, the page still shows
        return found

    asked = [item["application_id"] for item in mine if shown(item)]
    found = await asyncio.gather(*(standing(a) for a in asked))
    return {a: f for a, f in zip(asked, found, strict=True) if f}


@router.get(
    "/{lang}/applicant/new/{contest_id}/{nomination_code}",
    response_class=Response,
    summary="The form of a new application to an open nomination. Who may call: signed-in "
    "applicants.",
)
async def new_application(
    request: Request,
    lang: PageLanguage,
    portal: CurrentSite,
    person: Applicant,
    contest_id: str,
    nomination_code: str,
) -> Response:
    contest = await portal.services.intake.contest(contest_id)
    nomination = _nomination(contest.definition, nomination_code)
    return await _form_page(request, portal, lang, person, contest, nomination, None, {})


@router.post(
    "/{lang}/applicant/new/{contest_id}/{nomination_code}",
    response_class=Response,
    summary="Save a new application as a draft, or submit it. Who may call: signed-in applicants.",
)
async def create_application(
    request: Request,
    lang: PageLanguage,
    portal: CurrentSite,
    person: Applicant,
    contest_id: str,
    nomination_code: str,
) -> Response:
    fields, _ = await posted(request, portal.sessions, MOST_FORM_BYTES, MOST_FORM_FIELDS)
    contest = await portal.services.intake.contest(contest_id)
    nomination = _nomination(contest.definition, nomination_code)
    draft = draft_of(fields, nomination, lang.value)
    submit = fields.get("intent") == "submit"
    try:
        made = await applications.create(
            _intake(portal), person.access_token, contest_id, draft, submit=False
        )
    except Refused as refused:
        return await _form_page(
            request, portal, lang, person, contest, nomination, None, fields, refused
        )
    application_id = made["application_id"]
    if submit:
        try:
            await applications.submit(_intake(portal), person.access_token, application_id)
        except Refused as refused:
            # The draft is kept: the form now edits it, and says what is missing.
            return await _form_page(
                request, portal, lang, person, contest, nomination, made, fields, refused
            )
    return _to_list(lang.value, "submitted" if submit else "draft")


@router.get(
    "/{lang}/applicant/applications/{application_id}",
    response_class=Response,
    summary="One of the person's applications: its form to edit before the deadline, or "
    "what it holds. Who may call: signed-in applicants (their own applications).",
)
async def edit_application(
    request: Request,
    lang: PageLanguage,
    portal: CurrentSite,
    person: Applicant,
    application_id: str,
) -> Response:
    application = await own_application(portal, person, application_id)
    done = request.query_params.get("files")
    return await application_page(
        request, portal, lang, person, application, notice=done if done in FILE_NOTICES else None
    )


FILE_NOTICES = frozenset({"attached", "removed"})
"""What the application's page may say was just done to its files (`?files=`)."""


async def application_page(
    request: Request,
    portal: Site,
    lang: Any,
    person: SignedIn,
    application: dict[str, Any],
    *,
    file_refused: Refused | None = None,
    notice: str | None = None,
) -> Response:
    """The page of one of the person's applications as intake holds it: its form, and its
    files with what refused the last one (``file_refused``, its status the page's)."""
    contest = await portal.services.intake.contest(application["contest_id"])
    nomination = _nomination(contest.definition, application["form"]["nomination_code"])
    return await _form_page(
        request,
        portal,
        lang,
        person,
        contest,
        nomination,
        application,
        entered_of(application["form"]),
        file_refused=file_refused,
        notice=notice,
    )


@router.post(
    "/{lang}/applicant/applications/{application_id}",
    response_class=Response,
    summary="Save the changes to an application, or submit its draft. Who may call: "
    "signed-in applicants (their own applications).",
)
async def save_application(
    request: Request,
    lang: PageLanguage,
    portal: CurrentSite,
    person: Applicant,
    application_id: str,
) -> Response:
    fields, _ = await posted(request, portal.sessions, MOST_FORM_BYTES, MOST_FORM_FIELDS)
    application = await own_application(portal, person, application_id)
    contest = await portal.services.intake.contest(application["contest_id"])
    nomination = _nomination(contest.definition, application["form"]["nomination_code"])
    draft = draft_of(fields, nomination, lang.value)
    submit = fields.get("intent") == "submit" and application["status"] == "draft"
    token = person.access_token
    try:
        application = await applications.save(_intake(portal), token, application_id, draft)
        if submit:
            await applications.submit(_intake(portal), token, application_id)
    except Refused as refused:
        return await _form_page(
            request, portal, lang, person, contest, nomination, application, fields, refused
        )
    return _to_list(lang.value, "submitted" if submit else "saved")


@router.get(
    "/{lang}/applicant/applications/{application_id}/withdraw",
    response_class=Response,
    summary="Ask to confirm withdrawing an application. Who may call: signed-in applicants "
    "(their own applications).",
)
async def confirm_withdrawal(
    request: Request,
    lang: PageLanguage,
    portal: CurrentSite,
    person: Applicant,
    application_id: str,
) -> Response:
    application = await own_application(portal, person, application_id)
    return await workspace_page(
        request, portal, lang, person, "applicant_withdraw.html", application=application
    )


@router.post(
    "/{lang}/applicant/applications/{application_id}/withdraw",
    response_class=Response,
    summary="Withdraw an application (after the confirmation). Who may call: signed-in "
    "applicants (their own applications).",
)
async def withdraw_application(
    request: Request,
    lang: PageLanguage,
    portal: CurrentSite,
    person: Applicant,
    application_id: str,
) -> Response:
    fields, _ = await posted(request, portal.sessions)
    application = await own_application(portal, person, application_id)
    reason = fields.get("reason", "").strip()[:2000] or None
    try:
        await applications.withdraw(_intake(portal), person.access_token, application_id, reason)
    except Refused as refused:
        return await workspace_page(
            request,
            portal,
            lang,
            person,
            "applicant_withdraw.html",
            status_code=refused.status if 400 <= refused.status < 500 else 409,
            application=application,
            error=refused.code,
        )
    return _to_list(lang.value, "withdrawn")


async def own_application(portal: Site, person: SignedIn, application_id: str) -> dict[str, Any]:
    """The person's application; 404 for one that is not theirs (as for none: whether
    someone else's exists is not theirs to know)."""
    try:
        found: dict[str, Any] = await applications.application(
            _intake(portal), person.access_token, application_id
        )
    except Refused as refused:
        raise HTTPException(404) from refused
    return found


def _to_list(lang: str, done: str) -> Response:
    return RedirectResponse(
        f"/{lang}/applicant?saved={done}", status_code=303, headers={"Cache-Control": "no-store"}
    )


async def _form_page(
    request: Request,
    portal: Site,
    lang: Any,
    person: SignedIn,
    contest: Contest,
    nomination: Nomination,
    application: dict[str, Any] | None,
    entered: dict[str, str],
    refused: Refused | None = None,
    *,
    file_refused: Refused | None = None,
    notice: str | None = None,
) -> Response:
    form_fields = fields_of(contest.definition, nomination)
    errors, general = field_errors(refused.errors if refused else [], {f.name for f in form_fields})
    if refused and not errors and not general:
        general = [refused.code]
    editable = application is None or application["status"] in EDITABLE
    return await workspace_page(
        request,
        portal,
        lang,
        person,
        "applicant_form.html",
        status_code=next(
            (r.status for r in (refused, file_refused) if r and 400 <= r.status < 500), 200
        ),
        contest=contest,
        nomination=nomination,
        application=application,
        fields=form_fields,
        by_name={f.name: f for f in form_fields},
        entered=entered,
        errors=errors,
        general=general,
        editable=editable and _open(contest, portal.clock()),
        attachments=contest.definition.attachments,
        file_refused=file_refused,
        notice=notice,
    )
