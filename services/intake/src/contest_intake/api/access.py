"""Who may see and change an application, beyond the role a route requires."""

from __future__ import annotations

from fastapi import Request

from contest_intake.domain.applications import Application
from contest_intake.judging import JudgingAssignments
from contest_intake.office import IntakeOffice
from contest_runtime.auth import Principal, Role
from contest_runtime.problems import ProblemError

ITS_APPLICANT = (
    "its applicant (the token that created it; for a ministry filing, a token whose IIN/BIN "
    "claim is the application's)"
)
"""Who "its applicant" is, for the routes' summaries ("Who may call: ...")."""


async def office(request: Request) -> IntakeOffice:
    """FastAPI dependency: the intake office of the running service (async: FastAPI runs a
    plain function in a worker thread, a thread hop per request)."""
    intake: IntakeOffice = request.app.state.context
    return intake


def forbidden(detail: str) -> ProblemError:
    """403 with the platform's problem format."""
    return ProblemError(403, "forbidden", "Not allowed", detail)


def require_region(principal: Principal, region_code: str | None) -> None:
    """Operators reach every region; a secretary only the region in their token (a draft
    that names no region yet is no secretary's)."""
    if principal.has(Role.OPERATOR):
        return
    if principal.has(Role.SECRETARY) and principal.region_code == region_code:
        return
    raise forbidden(f"region {region_code} is not the caller's region")


def owns(principal: Principal, application: Application) -> bool:
    """Whether the caller is the application's applicant: its creator, or, for a ministry
    filing, the holder of the IIN/BIN it names (``Application.belongs_to``)."""
    return principal.has(Role.APPLICANT) and application.belongs_to(
        principal.subject, principal.iin_bin
    )


def require_reader(principal: Principal, application: Application) -> None:
    """The applicant who owns it, the secretary of its region, or an operator."""
    if owns(principal, application):
        return
    if principal.has(Role.OPERATOR, Role.SECRETARY):
        require_region(principal, application.form.region_code)
        return
    raise forbidden("only the applicant, the region's secretary or an operator may see it")


ASSIGNED_JUROR = "the juror assigned to it now (judging is asked at each call)"
"""Who "the assigned juror" is, for the routes' summaries."""


async def require_file_reader(
    request: Request, principal: Principal, application: Application
) -> None:
    """A reader of the application (``require_reader``), or a juror judging says is assigned
    to it now: an assignment a conflict ended lets nobody in (``contest_intake.judging``)."""
    try:
        require_reader(principal, application)
        return
    except ProblemError:
        if not principal.has(Role.JUROR):
            raise
    judging: JudgingAssignments = request.app.state.judging
    authorization = request.headers.get("authorization", "")
    if not await judging.holds(authorization, application.contest_id, application.application_id):
        raise forbidden(
            "only its applicant, the region's secretary, an operator or a juror "
            "assigned to it may read its files"
        )


def require_owner(principal: Principal, application: Application) -> None:
    """Only the applicant who owns it may change it."""
    if not owns(principal, application):
        raise forbidden("only the applicant who owns the application may change it")
