"""The operator's contests: the console's list, a definition uploaded as a file (a new
contest, or a contest's replaced), a contest's schedule changed, and its applications
closed now. Intake's refusals are
shown next to the field they concern, a definition's problems by where they are in it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from contest_contracts.common import Language
from contest_contracts.events.contest import StageSchedule
from contest_portal.formats import KAZAKHSTAN_TIME
from contest_portal.pages.forms import posted
from contest_portal.pages.site import CurrentSite, PageLanguage, Site
from contest_portal.pages.uploads import posted_upload
from contest_portal.pages.workspace import signed_in_with, workspace_page
from contest_portal.services import definitions
from contest_portal.services.calls import Refused
from contest_portal.services.identity import SignedIn
from contest_portal.services.intake import Contest
from contest_runtime.tokens import Role

router = APIRouter()

Operator = Annotated[SignedIn, Depends(signed_in_with(Role.OPERATOR))]

DEFINITION_FIELD = "definition"
LOCAL_MINUTE = "%Y-%m-%dT%H:%M"
"""How a `datetime-local` field writes a moment (Kazakhstan's time, to the minute)."""


@router.get("/{lang}/operator", response_class=Response)
async def console(
    request: Request, lang: PageLanguage, portal: CurrentSite, person: Operator
) -> Response:
    """The operator's console: every contest, and a new one defined from a file. Who may
    use it: operators."""
    return await _console(request, portal, lang, person)


@router.post("/{lang}/operator/contests", response_class=Response)
async def define(
    request: Request, lang: PageLanguage, portal: CurrentSite, person: Operator
) -> Response:
    """A new contest from an uploaded definition (YAML or JSON); its problems by path when
    intake refuses it. Who may use it: operators."""
    form = await posted_upload(request, portal.sessions)
    upload = form.files.get(DEFINITION_FIELD)
    if upload is None or not upload.content.strip():
        return await _console(request, portal, lang, person, refused=_no_file(), status=422)
    try:
        contest = await definitions.define(
            portal.services.intake.client, person.access_token, upload.filename, upload.content
        )
    except Refused as refused:
        return await _console(
            request,
            portal,
            lang,
            person,
            refused=refused,
            filename=upload.filename,
            status=refused.status,
        )
    return _to_contest(lang, contest, "defined")


@router.get("/{lang}/operator/contests/{contest_id}", response_class=Response)
async def contest_page(
    request: Request,
    lang: PageLanguage,
    contest_id: str,
    portal: CurrentSite,
    person: Operator,
    done: str | None = None,
) -> Response:
    """A contest in the console: its definition replaced from a file, its schedule, its
    stages. Who may use it: operators."""
    contest = await definitions.current(
        portal.services.intake.client, person.access_token, contest_id
    )
    return await _contest(request, portal, lang, person, contest, done=done)


@router.post("/{lang}/operator/contests/{contest_id}/definition", response_class=Response)
async def redefine(
    request: Request, lang: PageLanguage, contest_id: str, portal: CurrentSite, person: Operator
) -> Response:
    """The contest's definition replaced by an uploaded one. Who may use it: operators."""
    form = await posted_upload(request, portal.sessions)
    client = portal.services.intake.client
    contest = await definitions.current(client, person.access_token, contest_id)
    upload = form.files.get(DEFINITION_FIELD)
    if upload is None or not upload.content.strip():
        return await _contest(
            request, portal, lang, person, contest, refused=_no_file(), status=422
        )
    try:
        changed = await definitions.redefine(
            client, person.access_token, contest_id, upload.filename, upload.content
        )
    except Refused as refused:
        return await _contest(
            request,
            portal,
            lang,
            person,
            contest,
            refused=refused,
            filename=upload.filename,
            status=refused.status,
        )
    return _to_contest(lang, changed, "redefined")


@router.post("/{lang}/operator/contests/{contest_id}/schedule", response_class=Response)
async def reschedule(
    request: Request, lang: PageLanguage, contest_id: str, portal: CurrentSite, person: Operator
) -> Response:
    """The contest's schedule changed (each stage's opening and closing, Kazakhstan time).
    Who may use it: operators."""
    fields, _ = await posted(request, portal.sessions)
    client = portal.services.intake.client
    contest = await definitions.current(client, person.access_token, contest_id)
    stages, unreadable = _schedule_in(contest, fields)
    if unreadable:
        return await _contest(
            request,
            portal,
            lang,
            person,
            contest,
            entered=fields,
            unreadable=unreadable,
            status=422,
        )
    try:
        changed = await definitions.reschedule(client, person.access_token, contest, stages)
    except Refused as refused:
        return await _contest(
            request,
            portal,
            lang,
            person,
            contest,
            entered=fields,
            schedule_refused=refused,
            status=refused.status,
        )
    return _to_contest(lang, changed, "rescheduled")


@router.post("/{lang}/operator/contests/{contest_id}/submission/close", response_class=Response)
async def close_submission(
    request: Request, lang: PageLanguage, contest_id: str, portal: CurrentSite, person: Operator
) -> Response:
    """Applications closed now, before their scheduled deadline (the regional stage can
    then be judged). Who may use it: operators."""
    await posted(request, portal.sessions)
    client = portal.services.intake.client
    try:
        closed = await definitions.close_submission(client, person.access_token, contest_id)
    except Refused as refused:
        contest = await definitions.current(client, person.access_token, contest_id)
        return await _contest(
            request, portal, lang, person, contest, close_refused=refused, status=refused.status
        )
    return _to_contest(lang, closed, "submission_closed")


def _schedule_in(contest: Contest, fields: dict[str, str]) -> tuple[list[StageSchedule], list[str]]:
    """The schedule the form holds, and the names of its fields that hold no moment."""
    stages, unreadable = [], []
    for stage in contest.definition.stages:
        moments: dict[str, datetime] = {}
        for edge in ("opens_at", "closes_at"):
            name = f"{edge}-{stage.stage.value}"
            try:
                local = datetime.strptime(fields.get(name, "").strip(), LOCAL_MINUTE)
            except ValueError:
                unreadable.append(name)
                continue
            moments[edge] = local.replace(tzinfo=KAZAKHSTAN_TIME)
        if len(moments) == 2:
            stages.append(stage.model_copy(update=moments))
    return stages, unreadable


def local_minute(moment: datetime) -> str:
    """A moment as a `datetime-local` field shows it: Kazakhstan's time, to the minute."""
    return moment.astimezone(KAZAKHSTAN_TIME).strftime(LOCAL_MINUTE)


def _no_file() -> Refused:
    return Refused(422, "no_file")


def _to_contest(lang: Language, contest: Contest, done: str) -> Response:
    contest_id = contest.definition.contest_id
    return RedirectResponse(
        f"/{lang.value}/operator/contests/{quote(contest_id, safe='')}?done={done}", 303
    )


async def _console(
    request: Request,
    portal: Site,
    lang: Language,
    person: SignedIn,
    *,
    refused: Refused | None = None,
    filename: str | None = None,
    status: int = 200,
) -> Response:
    contests = await definitions.every_contest(portal.services.intake.client, person.access_token)
    contests.sort(key=lambda c: min(s.opens_at for s in c.definition.stages), reverse=True)
    return await workspace_page(
        request,
        portal,
        lang,
        person,
        "operator.html",
        status_code=_page_status(status),
        contests=contests,
        refused=refused,
        filename=filename,
    )


async def _contest(
    request: Request,
    portal: Site,
    lang: Language,
    person: SignedIn,
    contest: Contest,
    *,
    status: int = 200,
    **context: Any,
) -> Response:
    context.setdefault("entered", {})
    problems = [(refused.code, DEFINITION_FIELD)] if (refused := context.get("refused")) else []
    if schedule_refused := context.get("schedule_refused"):
        problems.append((schedule_refused.code, "schedule"))
    problems += [("unreadable_moment", name) for name in context.get("unreadable", [])]
    schedule = {
        f"{edge}-{stage.stage.value}": local_minute(getattr(stage, edge))
        for stage in contest.definition.stages
        for edge in ("opens_at", "closes_at")
    }
    return await workspace_page(
        request,
        portal,
        lang,
        person,
        "operator_contest.html",
        status_code=_page_status(status),
        contest=contest,
        definition=contest.definition,
        schedule=schedule | context["entered"],
        problems=problems,
        **{key: value for key, value in context.items() if key != "entered"},
    )


def _page_status(status: int) -> int:
    """A refused form's page answers with the refusal's 4xx."""
    return status if 400 <= status < 500 else 200
