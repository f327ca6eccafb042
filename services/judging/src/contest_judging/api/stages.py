"""Running a judging stage: assigning, progress, closing, and explaining its rankings."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from contest_contracts.common import StageKind
from contest_contracts.events.stages import StageClosed
from contest_judging.api.access import CommissionCaller, Judging, JudgingStage, Overseer
from contest_judging.domain.commissions import Level, commission_key
from contest_judging.domain.ranking import saying
from contest_judging.proceedings.assigning import assign_pending
from contest_judging.proceedings.closing import close_stage, closed_judgement
from contest_judging.store.assignments import Assignment
from contest_runtime.auth import Operator, Principal, Role
from contest_runtime.openapi import problems
from contest_runtime.problems import ProblemError

router = APIRouter(tags=["stages"])


class AssignmentRun(BaseModel):
    """What an assignment run did."""

    assigned: int = Field(description="New assignments made.")
    short: dict[str, int] = Field(description="Application → jurors it still lacks.")


class MissingSheet(BaseModel):
    """An application whose sheet a juror has not recorded, by its title."""

    application_id: str
    title: str = Field(description="The application's title as screened.")


class JurorProgress(BaseModel):
    """How far one juror is with their sheets (no scores)."""

    juror_id: str
    name: str | None = Field(
        default=None, description="The member's name in the commission (none once removed)."
    )
    assignments: int
    sheets: int
    missing_application_ids: list[str] = Field(
        description="The applications assigned to them whose sheet they have not recorded."
    )
    missing: list[MissingSheet] = Field(
        default_factory=list, description="The same applications with their titles."
    )


class CommissionProgress(BaseModel):
    """How far a commission is with its sheets (no scores)."""

    commission_id: str
    assignments: int
    sheets: int
    missing: int
    jurors: list[JurorProgress] = Field(
        default_factory=list, description="The same per juror, with the missing sheets named."
    )


class CloseForm(BaseModel):
    """How to close a stage."""

    model_config = ConfigDict(extra="forbid")

    force: bool = Field(
        default=False, description="Close although sheets are missing (they are recorded)."
    )


class SheetExplanation(BaseModel):
    """How one sheet counts in an application's score."""

    sheet_id: str
    juror_id: str
    scores: dict[str, int]
    comment: str
    weighted_total: float = Field(description="Sum of weight x score.")
    juror_mean: float = Field(
        description="Mean total of the juror's sheets of the nomination in the stage."
    )
    juror_deviation: float = Field(
        description="Population standard deviation of the juror's totals of the nomination "
        "in the stage."
    )
    z: float = Field(description="(total - juror mean) / juror deviation; 0 when undefined.")
    stage_mean: float = Field(description="Mean of every total of the nomination in the stage.")
    stage_deviation: float = Field(
        description="Population standard deviation of every total of the nomination in the stage."
    )
    highest_total: float = Field(description="The nomination's highest possible total.")
    counted: float = Field(
        description="What the score averages: the total, or, normalised, stage mean + stage "
        "deviation x z clamped to 0..highest total."
    )


class EntryExplanation(BaseModel):
    """One line of a ranking with everything it rests on."""

    rank: int
    application_id: str
    title: str
    score: float = Field(description="Mean of the counted values of its sheets.")
    first_criterion: float = Field(description="Mean score on the rubric's first criterion.")
    sheets: int
    missing_sheets: int
    submitted_at: datetime
    sheet_values: list[SheetExplanation]


class RankingExplanation(BaseModel):
    """A closed stage's ranking of one nomination (and region), sheet by sheet."""

    nomination_code: str
    region_code: str | None
    normalised: bool = Field(description="Whether per-juror normalisation was on.")
    tie_breaks: str = Field(
        description="The rule that orders equal scores: the contest's tie-breaks in words."
    )
    closed_at: datetime | None = Field(default=None, description="When the stage closed.")
    entries: list[EntryExplanation]


@router.post(
    "/contests/{contest_id}/stages/{stage}/assign",
    responses=problems(404, 409),
    summary="Assign jurors to every application of an open stage that lacks them (e.g. after "
    "a commission was set up late). Who may call: operators.",
)
async def assign(
    contest_id: str, stage: JudgingStage, context: Judging, operator: Operator
) -> AssignmentRun:
    await context.contests.require(contest_id)
    report = await assign_pending(context, contest_id, stage.kind, operator.subject)
    return AssignmentRun(assigned=len(report.made), short=report.short)


@router.get(
    "/contests/{contest_id}/stages/{stage}/progress",
    responses=problems(404),
    summary="Assignments and sheets per commission, without scores. Who may call: operators, "
    "commission secretaries.",
)
async def progress(
    contest_id: str, stage: JudgingStage, context: Judging, _: Overseer
) -> list[CommissionProgress]:
    await context.contests.require(contest_id)
    held = await context.assignments.in_force(contest_id, stage.kind)
    assignments = Counter(a.commission_id for a in held)
    sheets = Counter(a.commission_id for a in held if a.sheet is not None)
    names = {
        (commission.commission_id, member.juror_id): member.name
        for commission in await context.commissions.of_contest(contest_id)
        for member in commission.members
    }
    copies = await context.applications.of_ids(a.application_id for a in held if a.sheet is None)
    titles = {application_id: copy.title for application_id, copy in copies.items()}
    return [
        CommissionProgress(
            commission_id=commission_id,
            assignments=n,
            sheets=sheets[commission_id],
            missing=n - sheets[commission_id],
            jurors=_jurors_progress(
                [a for a in held if a.commission_id == commission_id], names, titles
            ),
        )
        for commission_id, n in sorted(assignments.items())
    ]


def _jurors_progress(
    held: list[Assignment], names: dict[tuple[str, str], str], titles: dict[str, str]
) -> list[JurorProgress]:
    """Each juror's assignments in force, sheets recorded and sheets missing, by juror id."""
    by_juror: dict[str, list[Assignment]] = {}
    for assignment in held:
        by_juror.setdefault(assignment.juror_id, []).append(assignment)
    progress = []
    for juror_id, mine in sorted(by_juror.items()):
        missing = sorted(a.application_id for a in mine if a.sheet is None)
        progress.append(
            JurorProgress(
                juror_id=juror_id,
                name=names.get((mine[0].commission_id, juror_id)),
                assignments=len(mine),
                sheets=sum(1 for a in mine if a.sheet is not None),
                missing_application_ids=missing,
                missing=[MissingSheet(application_id=a, title=titles.get(a, a)) for a in missing],
            )
        )
    return progress


@router.post(
    "/contests/{contest_id}/stages/{stage}/close",
    responses=problems(404, 409),
    summary="Close a stage: rank, select finalists (regional), announce. Refused while sheets "
    "are missing unless forced. Who may call: operators.",
)
async def close(
    contest_id: str, stage: JudgingStage, form: CloseForm, context: Judging, operator: Operator
) -> StageClosed:
    return await close_stage(context, contest_id, stage.kind, operator.subject, force=form.force)


@router.get(
    "/contests/{contest_id}/stages/{stage}/rankings",
    responses=problems(404, 409, 422),
    summary="A closed stage's ranking explained sheet by sheet. Who may call: operators, and "
    "members of the commission that judged it; nobody before the stage closes.",
)
async def ranking(
    contest_id: str,
    stage: JudgingStage,
    context: Judging,
    caller: CommissionCaller,
    nomination: Annotated[str, Query(description="Nomination code.")],
    region: Annotated[str | None, Query(description="Region code (regional stage).")] = None,
) -> RankingExplanation:
    if (stage == JudgingStage.REGIONAL) != (region is not None):
        raise ProblemError(
            422,
            "region_required" if region is None else "region_not_allowed",
            "Invalid input",
            "the regional stage is ranked per region; the republican stage is not",
        )
    await _require_commission_member(context, caller, contest_id, stage.kind, region)
    closed = await closed_judgement(context, contest_id, stage.kind)
    judgement, copies = closed.judgement, closed.entrants
    ranked = judgement.rankings.get((nomination, region))
    if ranked is None:
        raise ProblemError(
            404, "ranking_not_found", "Not found", f"no ranking of {nomination!r} here"
        )
    values_of: dict[str, list[SheetExplanation]] = {}
    for value in judgement.values:
        sheet = closed.assignments[value.sheet_id].sheet
        assert sheet is not None
        values_of.setdefault(value.application_id, []).append(
            SheetExplanation(
                sheet_id=value.sheet_id,
                juror_id=value.juror_id,
                scores=sheet.scores,
                comment=sheet.comment,
                weighted_total=value.total,
                juror_mean=value.juror_mean,
                juror_deviation=value.juror_deviation,
                z=value.z,
                stage_mean=value.stage_mean,
                stage_deviation=value.stage_deviation,
                highest_total=value.highest_total,
                counted=value.counted,
            )
        )
    return RankingExplanation(
        nomination_code=nomination,
        region_code=region,
        normalised=closed.definition.judging.normalise_scores,
        tie_breaks=saying(closed.definition.judging.tie_breaks),
        closed_at=closed.closed_at,
        entries=[
            EntryExplanation(
                rank=entry.rank,
                application_id=entry.standing.application_id,
                title=copies[entry.standing.application_id].title,
                score=entry.standing.score,
                first_criterion=entry.standing.first_criterion,
                sheets=entry.standing.sheets,
                missing_sheets=entry.standing.missing_sheets,
                submitted_at=entry.standing.submitted_at,
                sheet_values=values_of.get(entry.standing.application_id, []),
            )
            for entry in ranked
        ],
    )


async def _require_commission_member(
    context: Judging, caller: Principal, contest_id: str, stage: StageKind, region: str | None
) -> None:
    if caller.has(Role.OPERATOR):
        return
    level = Level.REGIONAL if stage == StageKind.REGIONAL else Level.REPUBLICAN
    commission = await context.commissions.get(commission_key(contest_id, level, region))
    if commission is None or caller.subject not in {m.juror_id for m in commission.members}:
        raise ProblemError(
            403, "forbidden", "Forbidden", "only the commission that judged it sees a ranking"
        )
