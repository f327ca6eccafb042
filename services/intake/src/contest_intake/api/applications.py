"""Applications: drafts, submission, withdrawal, screening, listings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from contest_contracts.events.applications import ScreeningCheck, ScreeningDecision
from contest_intake.api.access import (
    ITS_APPLICANT,
    office,
    owns,
    require_owner,
    require_reader,
    require_region,
)
from contest_intake.domain.applications import Application, ApplicationStatus, screening_checks
from contest_intake.domain.drafts import DraftForm
from contest_intake.office import IntakeOffice
from contest_intake.store.applications import ApplicationFilter
from contest_intake.store.standings import StageStanding
from contest_runtime.auth import Principal, Role, require_roles
from contest_runtime.openapi import problems
from contest_runtime.problems import ProblemError

router = APIRouter(tags=["applications"])

Office = Annotated[IntakeOffice, Depends(office)]
ApplicantCaller = Annotated[Principal, Depends(require_roles(Role.APPLICANT))]
Reader = Annotated[Principal, Depends(require_roles(Role.APPLICANT, Role.SECRETARY, Role.OPERATOR))]
Screener = Annotated[Principal, Depends(require_roles(Role.SECRETARY, Role.OPERATOR))]


class NewApplication(DraftForm):
    """An application form, saved as a draft (any part of it) or submitted at once (whole)."""

    submit: bool = Field(default=False, description="Submit at once instead of saving a draft.")


class Withdrawal(BaseModel):
    """Why the applicant withdraws (optional)."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=2000, description="The reason.")


class ScreeningRequest(BaseModel):
    """A secretary's decision."""

    model_config = ConfigDict(extra="forbid")

    decision: ScreeningDecision = Field(description="Eligible or ineligible.")
    reason: str | None = Field(
        default=None, max_length=2000, description="Required when ineligible."
    )


class ApplicationPage(BaseModel):
    """One page of a listing."""

    items: list[Application] = Field(description="Applications, oldest first.")
    next_after: str | None = Field(
        description="Pass as `after` for the next page; null at the end."
    )
    checks: dict[str, list[ScreeningCheck]] = Field(
        default_factory=dict,
        description="Application id → the automatic checks as they stand now (what a "
        "screening decision made now would rest on).",
    )


@router.post(
    "/contests/{contest_id}/applications",
    status_code=201,
    summary="Create an application (a draft of any part of the form, or submitted whole with "
    "`submit: true`). Who may call: applicants.",
    responses={
        200: {"description": "A retry with the same Idempotency-Key: the same application."},
        **problems(404, 409),
    },
)
async def create_application(
    contest_id: str,
    body: NewApplication,
    response: Response,
    intake: Office,
    applicant: ApplicantCaller,
    idempotency_key: Annotated[
        str | None, Header(min_length=1, max_length=128, description="Makes retries safe.")
    ] = None,
) -> Application:
    """One application per applicant, nomination and contest (409 `application_exists`).
    Submitting publishes `kz.contest.application.submitted`."""
    form = DraftForm.model_validate(body.model_dump(exclude={"submit"}))
    if idempotency_key is None:
        return await intake.apply(contest_id, applicant.subject, form, submit=body.submit)
    application, created = await intake.apply_once(
        contest_id, applicant.subject, form, submit=body.submit, key=idempotency_key
    )
    if not created:
        response.status_code = 200
    return application


@router.get(
    "/applications/mine",
    summary="The caller's applications with their timelines: those they created, and those "
    "the ministry filed for the IIN/BIN of their token. Who may call: applicants.",
)
async def my_applications(intake: Office, applicant: ApplicantCaller) -> list[Application]:
    return await intake.applications.of_applicant(applicant.subject, applicant.iin_bin)


@router.get(
    "/applications/{application_id}",
    responses=problems(404),
    summary=f"One application. Who may call: {ITS_APPLICANT}, its region's secretary, operators.",
)
async def get_application(application_id: str, intake: Office, reader: Reader) -> Application:
    application = await intake.application(application_id)
    require_reader(reader, application)
    return application


@router.get(
    "/applications/{application_id}/standings",
    responses=problems(403, 404),
    summary="Where the application stood at each closed judging stage: rank, score, sheets "
    "and each criterion's mean (no juror named). Who may call: its region's secretary, "
    f"operators; {ITS_APPLICANT} where the contest's `judging.scores_to_applicants` is set "
    "(else 403 `scores_withheld`).",
)
async def application_standings(
    application_id: str, intake: Office, reader: Reader
) -> list[StageStanding]:
    application = await intake.application(application_id)
    require_reader(reader, application)
    if owns(reader, application) and not reader.has(Role.OPERATOR, Role.SECRETARY):
        contest = await intake.contest(application.contest_id)
        if not contest.definition.judging.scores_to_applicants:
            raise ProblemError(
                403,
                "scores_withheld",
                "Not allowed",
                "this contest does not show applicants their scores",
            )
    return await intake.standings.of_application(application_id)


@router.put(
    "/applications/{application_id}",
    responses=problems(404, 409),
    summary="Replace the form before the deadline (a draft's in part, a submitted one's "
    f"whole). Who may call: {ITS_APPLICANT}.",
)
async def edit_application(
    application_id: str, form: DraftForm, intake: Office, applicant: ApplicantCaller
) -> Application:
    """Once submitted, publishes `kz.contest.application.updated` with the next revision."""
    require_owner(applicant, await intake.application(application_id))
    return await intake.edit(application_id, form)


@router.post(
    "/applications/{application_id}/submit",
    responses=problems(404, 409),
    summary="Submit a draft before the deadline; an incomplete one is 422 `missing_field`, "
    f"one error per missing field. Who may call: {ITS_APPLICANT}.",
)
async def submit_application(
    application_id: str, intake: Office, applicant: ApplicantCaller
) -> Application:
    """Idempotent: submitting a submitted application returns it unchanged."""
    require_owner(applicant, await intake.application(application_id))
    return await intake.submit(application_id)


@router.post(
    "/applications/{application_id}/withdraw",
    responses=problems(404, 409),
    summary=f"Withdraw before the deadline. Who may call: {ITS_APPLICANT}.",
)
async def withdraw_application(
    application_id: str, body: Withdrawal, intake: Office, applicant: ApplicantCaller
) -> Application:
    """Publishes `kz.contest.application.withdrawn` (not for a draft)."""
    require_owner(applicant, await intake.application(application_id))
    return await intake.withdraw(application_id, body.reason)


@router.post(
    "/applications/{application_id}/screening",
    responses=problems(404, 409),
    summary="Decide eligibility. Who may call: the region's secretary, operators.",
)
async def screen_application(
    application_id: str, body: ScreeningRequest, intake: Office, screener: Screener
) -> Application:
    """Runs the automatic checks; publishes `kz.contest.application.screened`."""
    require_region(screener, (await intake.application(application_id)).form.region_code)
    return await intake.screen(application_id, body.decision, body.reason, screener.subject)


@router.get(
    "/contests/{contest_id}/applications",
    responses=problems(404),
    summary="List applications. Who may call: secretaries (their region), operators (all).",
)
async def list_applications(
    contest_id: str,
    intake: Office,
    screener: Screener,
    region: Annotated[str | None, Query(description="Region code.")] = None,
    nomination: Annotated[str | None, Query(description="Nomination code.")] = None,
    status: Annotated[ApplicationStatus | None, Query(description="Status.")] = None,
    after: Annotated[str | None, Query(description="`next_after` of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Page size.")] = 50,
) -> ApplicationPage:
    statuses = None
    if not screener.has(Role.OPERATOR):
        if screener.region_code is None:
            raise ProblemError(403, "forbidden", "Not allowed", "the token names no region")
        region = region or screener.region_code
        require_region(screener, region)
        # A draft is its applicant's alone until it is submitted: not a secretary's to read.
        statuses = frozenset(ApplicationStatus) - {ApplicationStatus.DRAFT}
        if status is not None:
            statuses &= {status}
    definition = (await intake.contest(contest_id)).definition
    items, next_after = await intake.applications.page(
        ApplicationFilter(contest_id, region, nomination, status, statuses),
        after=after,
        limit=limit,
    )
    # The checks read a whole form: a draft (the operator's listing) may hold only part.
    checks = {
        a.application_id: screening_checks(a, definition)
        for a in items
        if a.status is not ApplicationStatus.DRAFT
    }
    return ApplicationPage(items=items, next_after=next_after, checks=checks)
