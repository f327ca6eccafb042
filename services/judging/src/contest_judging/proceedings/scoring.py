"""Score sheets: a juror records and changes their sheets while the stage is open."""

from __future__ import annotations

from contest_contracts.common import StageKind
from contest_contracts.events.judging import CriterionScore, ScoreRecorded
from contest_contracts.topics import SCORES
from contest_judging.context import JudgingContext, outbox_event
from contest_judging.domain.scoring import sheet_problems, weighted_total
from contest_judging.store.assignments import Assignment, assignment_id
from contest_judging.store.audit import audit_entry
from contest_judging.store.stages import StageStatus
from contest_runtime.mongo import Document
from contest_runtime.problems import FieldError, ProblemError

_CONFLICT = "Conflict with the current state"


async def require_open(context: JudgingContext, contest_id: str, stage: StageKind) -> None:
    """Refuse (409) unless the stage is open: ``stage_not_open`` before, ``stage_closed`` after."""
    current = await context.stages.get(contest_id, stage)
    if current is not None and current.status == StageStatus.OPEN:
        return
    if current is not None:
        raise ProblemError(409, "stage_closed", _CONFLICT, f"the {stage} stage is closed")
    raise ProblemError(409, "stage_not_open", _CONFLICT, f"the {stage} stage has not opened")


async def record_sheet(
    context: JudgingContext,
    contest_id: str,
    stage: StageKind,
    application_id: str,
    juror_id: str,
    scores: dict[str, int],
    comment: str,
) -> Assignment:
    """Record or change ``juror_id``'s sheet for an application they are assigned to."""
    definition = await context.contests.require(contest_id)
    async with context.lock(contest_id, stage).sheet():
        await require_open(context, contest_id, stage)
        key = assignment_id(contest_id, stage, application_id, juror_id)
        assignment = await context.assignments.get(key)
        if assignment is None or not assignment.active:
            raise ProblemError(
                404,
                "assignment_not_found",
                "Not found",
                f"you are not assigned to application {application_id!r} at the {stage} stage",
            )
        rubric = next(
            n.rubric for n in definition.nominations if n.code == assignment.nomination_code
        )
        problems = sheet_problems(scores, rubric)
        if problems:
            raise ProblemError(
                422,
                "invalid_sheet",
                "Invalid input",
                "; ".join(problems),
                errors=[
                    FieldError(
                        location=["body", "scores", p.split(":")[0]],
                        message=p,
                        kind="invalid_sheet",
                    )
                    for p in problems
                ],
            )
        now = context.clock()
        total = weighted_total(scores, rubric)

        def write(held: Assignment) -> tuple[Document, list[Document]]:
            revision = 1 if held.sheet is None else held.sheet.revision + 1
            sheet = {
                "scores": scores,
                "comment": comment,
                "weighted_total": total,
                "revision": revision,
                "recorded_at": now,
            }
            event = ScoreRecorded(
                sheet_id=held.assignment_id,
                contest_id=contest_id,
                stage=stage,
                application_id=application_id,
                juror_id=juror_id,
                scores=[
                    CriterionScore(criterion_code=c.code, score=scores[c.code]) for c in rubric
                ],
                weighted_total=total,
                revision=revision,
                recorded_at=now,
            )
            entry = audit_entry(
                contest_id,
                juror_id,
                "sheet.recorded",
                key,
                now,
                stage=stage.value,
                application_id=application_id,
                revision=revision,
                scores=scores,
            )
            return {"sheet": sheet}, [entry, outbox_event(SCORES, event, application_id)]

        changed = await context.assignments.change(key, write)
    assert changed is not None and changed.sheet is not None
    # Stored with its events, the sheet counts at the close; publishing them needs no lock,
    # and jurors' sheets would otherwise wait for each other's broker round trips.
    await context.relay.flush(context.assignments.collection, key)
    return changed
