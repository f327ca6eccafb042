"""Closing a judging stage: rank, select finalists (regional), announce; and explaining a
closed stage's rankings sheet by sheet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from contest_contracts.common import StageKind
from contest_contracts.events.contest import ContestDefinition
from contest_contracts.events.judging import Finalist, FinalistsSelected
from contest_contracts.events.stages import (
    JudgingSummary,
    RankedApplication,
    Ranking,
    StageClosed,
)
from contest_contracts.topics import FINALISTS, STAGES
from contest_judging.context import JudgingContext, outbox_event
from contest_judging.domain.judgement import Entrant, Judgement, judge
from contest_judging.domain.ranking import top
from contest_judging.domain.scoring import Sheet
from contest_judging.proceedings.assigning import entrants_of
from contest_judging.proceedings.scoring import require_open
from contest_judging.store.applications import ApplicationCopy
from contest_judging.store.assignments import Assignment
from contest_judging.store.audit import audit_entry
from contest_judging.store.stages import StageStatus, stage_key
from contest_runtime.mongo import Document, as_utc
from contest_runtime.problems import FieldError, ProblemError

SCORE_DECIMALS = 6
"""Scores in events and results are rounded to this many decimals (rankings use full ones)."""


def judgement_of(
    definition: ContestDefinition,
    stage: StageKind,
    entrants: list[ApplicationCopy],
    in_force: list[Assignment],
) -> Judgement:
    """Rank ``entrants`` on the sheets of the stage's assignments in force."""
    sheets = [
        Sheet(
            sheet_id=a.assignment_id,
            juror_id=a.juror_id,
            application_id=a.application_id,
            scores=a.sheet.scores,
            submitted_at=a.sheet.recorded_at,
        )
        for a in in_force
        if a.sheet is not None
    ]
    return judge(
        [
            Entrant(e.application_id, e.nomination_code, e.region_code, e.submitted_at)
            for e in entrants
        ],
        [(a.application_id, a.juror_id) for a in in_force],
        sheets,
        {n.code: n.rubric for n in definition.nominations},
        jurors_per_application=definition.judging.jurors_per_application,
        normalise=definition.judging.normalise_scores,
        by_region=stage == StageKind.REGIONAL,
        tie_breaks=definition.judging.tie_breaks,
    )


async def close_stage(
    context: JudgingContext, contest_id: str, stage: StageKind, by: str, *, force: bool
) -> StageClosed:
    """Close an open judging stage; refused while sheets are missing unless ``force``."""
    definition = await context.contests.require(contest_id)
    async with context.lock(contest_id, stage).alone():
        await require_open(context, contest_id, stage)
        entrants = await entrants_of(context, contest_id, stage)
        in_force = await context.assignments.in_force(contest_id, stage)
        judgement = judgement_of(definition, stage, entrants, in_force)
        if judgement.missing_sheets and not force:
            raise _sheets_missing(judgement)
        now = context.clock()
        summary = JudgingSummary(
            stage=stage,
            forced=judgement.missing_sheets > 0,
            missing_sheets=judgement.missing_sheets,
            rankings=_rankings(judgement, definition.judging.scores_to_applicants),
        )
        closed = StageClosed(
            contest_id=contest_id, stage=stage, closed_at=now, closed_by=by, summary=summary
        )
        finalists = (
            _finalists(definition, judgement, {e.application_id: e for e in entrants})
            if stage == StageKind.REGIONAL
            else []
        )
        if not await context.stages.close(
            contest_id,
            stage,
            closed_at=now,
            closed_by=by,
            summary=summary.model_dump(mode="json"),
            finalists=[f.model_dump(mode="json") for f in finalists],
            entries=_records_of_close(closed, judgement, finalists),
        ):
            raise ProblemError(
                409,
                "stage_closed",
                "Conflict with the current state",
                f"the {stage} stage is closed",
            )
        await context.relay.flush(context.stages.collection, stage_key(contest_id, stage))
        return closed


def _records_of_close(
    closed: StageClosed, judgement: Judgement, finalists: list[Finalist]
) -> list[Document]:
    """What a close writes in the stage's outbox with it: its audit entry, ``StageClosed``
    and, at the regional stage, ``FinalistsSelected``."""
    contest_id = closed.contest_id
    records = [
        audit_entry(
            contest_id,
            closed.closed_by,
            "stage.closed",
            closed.stage.value,
            closed.closed_at,
            forced=judgement.missing_sheets > 0,
            missing=[list(pair) for pair in judgement.missing],
            short=judgement.short,
            finalists=[f.application_id for f in finalists],
        ),
        outbox_event(STAGES, closed, contest_id),
    ]
    if closed.stage == StageKind.REGIONAL:
        selected = FinalistsSelected(
            contest_id=contest_id, finalists=finalists, selected_at=closed.closed_at
        )
        records.append(outbox_event(FINALISTS, selected, contest_id))
    return records


def _sheets_missing(judgement: Judgement) -> ProblemError:
    errors = [
        FieldError(
            location=["sheets", application_id, juror_id],
            message=f"juror {juror_id} has not scored application {application_id}",
            kind="sheet_missing",
        )
        for application_id, juror_id in judgement.missing
    ] + [
        FieldError(
            location=["assignments", application_id],
            message=f"application {application_id} lacks {n} juror(s)",
            kind="jurors_missing",
        )
        for application_id, n in judgement.short.items()
    ]
    return ProblemError(
        409,
        "sheets_missing",
        "Conflict with the current state",
        f"{judgement.missing_sheets} sheet(s) missing; close with force=true to close anyway",
        errors=errors,
    )


def _rankings(judgement: Judgement, with_criteria: bool) -> list[Ranking]:
    """The rankings as announced; each criterion's mean only where the contest shows
    applicants their scores."""
    return [
        Ranking(
            nomination_code=nomination,
            region_code=region,
            entries=[
                RankedApplication(
                    rank=entry.rank,
                    application_id=entry.standing.application_id,
                    score=round(entry.standing.score, SCORE_DECIMALS),
                    sheets=entry.standing.sheets,
                    missing_sheets=entry.standing.missing_sheets,
                    criteria={
                        code: round(mean, SCORE_DECIMALS)
                        for code, mean in entry.standing.criteria.items()
                    }
                    if with_criteria
                    else {},
                )
                for entry in ranked
            ],
        )
        for (nomination, region), ranked in judgement.rankings.items()
    ]


def _finalists(
    definition: ContestDefinition, judgement: Judgement, copies: dict[str, ApplicationCopy]
) -> list[Finalist]:
    quota = {n.code: n.finalists_per_region for n in definition.nominations}
    finalists = []
    for (nomination, _), ranked in judgement.rankings.items():
        for entry in top(ranked, quota[nomination]):
            copy = copies[entry.standing.application_id]
            finalists.append(
                Finalist(
                    application_id=copy.application_id,
                    nomination_code=nomination,
                    region_code=copy.region_code,
                    title=copy.title,
                    display_name=copy.display_name,
                    regional_rank=entry.rank,
                    regional_score=round(entry.standing.score, SCORE_DECIMALS),
                )
            )
    return finalists


@dataclass(frozen=True)
class ClosedStage:
    """A closed stage and the judgement its rankings were made of."""

    definition: ContestDefinition
    judgement: Judgement
    entrants: dict[str, ApplicationCopy]
    assignments: dict[str, Assignment]
    """The assignments in force at the close, by id (their sheets are frozen)."""
    closed_at: datetime
    """When the stage closed."""


async def closed_judgement(
    context: JudgingContext, contest_id: str, stage: StageKind
) -> ClosedStage:
    """The judgement a closed stage's rankings were made of (its sheets are frozen, and its
    entrants are those of its rankings)."""
    definition = await context.contests.require(contest_id)
    current = await context.stages.get(contest_id, stage)
    if current is None or current.status != StageStatus.CLOSED or current.summary is None:
        raise ProblemError(
            403,
            "scores_sealed",
            "Forbidden",
            f"scores of the {stage} stage are sealed until the stage closes",
        )
    summary = JudgingSummary.model_validate(current.summary)
    ids = [entry.application_id for ranking in summary.rankings for entry in ranking.entries]
    copies = await context.applications.of_ids(ids)
    in_force = await context.assignments.in_force(contest_id, stage)
    judgement = judgement_of(definition, stage, [copies[a] for a in sorted(copies)], in_force)
    assert current.closed_at is not None  # a stage is closed with its time
    return ClosedStage(
        definition,
        judgement,
        copies,
        {a.assignment_id: a for a in in_force},
        as_utc(current.closed_at),  # the store gives it back without its zone
    )
