"""A juror's own work: assignments, score sheets and declared conflicts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from contest_contracts.common import StageKind
from contest_judging.api.access import Judging, JudgingStage, JurorCaller
from contest_judging.proceedings.assigning import declare_conflict
from contest_judging.proceedings.scoring import record_sheet
from contest_judging.store.assignments import Assignment, SheetRecord
from contest_runtime.openapi import problems
from contest_runtime.problems import ProblemError

router = APIRouter(tags=["scoring"])


class MyAssignment(BaseModel):
    """An application a juror scores, with their own sheet (never anyone else's)."""

    assignment_id: str = Field(description="Assignment id; also the sheet's id.")
    application_id: str
    nomination_code: str
    region_code: str
    title: str = Field(description="Public title of the application.")
    details: dict[str, Any] = Field(description="The nomination's fields of the application.")
    assigned_at: datetime
    due_at: datetime | None = Field(
        default=None, description="When the sheet is due: the stage's scheduled close."
    )
    sheet: SheetRecord | None = Field(description="The juror's sheet, once recorded.")


class HeldAssignment(BaseModel):
    """That the caller is assigned to an application now, and at which stages."""

    application_id: str
    stages: list[StageKind] = Field(description="Stages where the assignment is in force.")


class SheetForm(BaseModel):
    """A score sheet: an integer per criterion of the nomination's rubric, and a comment."""

    model_config = ConfigDict(extra="forbid")

    scores: dict[str, int] = Field(description="Criterion code → score from 0 to its maximum.")
    comment: str = Field(default="", max_length=4000, description="The juror's comment.")


class ConflictForm(BaseModel):
    """A juror's declaration of a conflict of interest."""

    model_config = ConfigDict(extra="forbid")

    application_id: str = Field(min_length=1, max_length=128)
    reason: str = Field(min_length=1, max_length=1000, description="Why the juror is conflicted.")


class ConflictDeclared(BaseModel):
    """What declaring a conflict did."""

    application_id: str
    assignments_ended: int = Field(description="The juror's assignments to it that ended.")
    replacements: int = Field(description="Jurors assigned in their place.")


@router.get(
    "/contests/{contest_id}/stages/{stage}/assignments/mine",
    responses=problems(404),
    summary="The caller's assignments and sheets at a stage. Who may call: jurors.",
)
async def my_assignments(
    contest_id: str, stage: JudgingStage, context: Judging, juror: JurorCaller
) -> list[MyAssignment]:
    await context.contests.require(contest_id)
    held = await context.assignments.of_juror(contest_id, stage.kind, juror.subject)
    copies = await context.applications.of_ids(a.application_id for a in held)
    return [
        _mine(a, copies[a.application_id].title, copies[a.application_id].details) for a in held
    ]


@router.get(
    "/contests/{contest_id}/assignments/mine/{application_id}",
    responses=problems(404),
    summary="Whether the caller is assigned to an application now, at any stage (404 "
    "`not_assigned` when not, or no longer after a conflict); intake asks it before it lets a "
    "juror read the application's files. Who may call: jurors.",
)
async def my_assignment(
    contest_id: str, application_id: str, context: Judging, juror: JurorCaller
) -> HeldAssignment:
    await context.contests.require(contest_id)
    held = await context.assignments.held(contest_id, application_id, juror.subject)
    if not held:
        raise ProblemError(
            404,
            "not_assigned",
            "Not found",
            f"the caller is not assigned to application {application_id!r}",
        )
    return HeldAssignment(application_id=application_id, stages=[a.stage for a in held])


@router.put(
    "/contests/{contest_id}/stages/{stage}/sheets/{application_id}",
    responses=problems(404, 409, 422),
    summary="Record or change the caller's sheet for an assigned application, while the "
    "stage is open. Who may call: the juror assigned to it.",
)
async def put_sheet(
    contest_id: str,
    stage: JudgingStage,
    application_id: str,
    form: SheetForm,
    context: Judging,
    juror: JurorCaller,
) -> MyAssignment:
    assignment = await record_sheet(
        context, contest_id, stage.kind, application_id, juror.subject, form.scores, form.comment
    )
    copy = await context.applications.get(application_id)
    assert copy is not None  # assignments are only made for applications judging holds
    return _mine(assignment, copy.title, copy.details)


@router.post(
    "/contests/{contest_id}/conflicts",
    responses=problems(404, 409),
    summary="Declare a conflict of interest with an application; an assignment to it ends "
    "and another juror takes over. Who may call: jurors.",
)
async def post_conflict(
    contest_id: str, form: ConflictForm, context: Judging, juror: JurorCaller
) -> ConflictDeclared:
    ended, replacements = await declare_conflict(
        context, contest_id, juror.subject, form.application_id, form.reason
    )
    return ConflictDeclared(
        application_id=form.application_id,
        assignments_ended=ended,
        replacements=len(replacements),
    )


def _mine(assignment: Assignment, title: str, details: dict[str, Any]) -> MyAssignment:
    return MyAssignment(
        assignment_id=assignment.assignment_id,
        application_id=assignment.application_id,
        nomination_code=assignment.nomination_code,
        region_code=assignment.region_code,
        title=title,
        details=details,
        assigned_at=assignment.assigned_at,
        due_at=assignment.due_at,
        sheet=assignment.sheet,
    )
