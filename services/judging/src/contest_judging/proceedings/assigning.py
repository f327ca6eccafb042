"""Opening a judging stage and assigning its jurors; conflicts and replacements.

Assignment is incremental and idempotent: it brings every application of an open stage up
to the contest's number of jurors, on top of the assignments in force. The same call
assigns the whole stage when it opens, an application screened eligible later, the
applications of a commission set up late, and a replacement for a juror who declared a
conflict.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from contest_contracts.common import StageKind
from contest_contracts.envelope import Envelope
from contest_contracts.events.contest import ContestDefinition
from contest_contracts.events.judging import JurorAssigned
from contest_contracts.events.stages import StageOpened
from contest_contracts.topics import ASSIGNMENTS, STAGES
from contest_judging.context import JudgingContext, outbox_event
from contest_judging.domain.assignment import Candidate, Juror, assign
from contest_judging.domain.commissions import SCORING_ROLES, Level, commission_key
from contest_judging.store.applications import ApplicationCopy
from contest_judging.store.assignments import Assignment, assignment_id
from contest_judging.store.audit import audit_entry
from contest_judging.store.decisions import Conflict
from contest_judging.store.stages import Stage, StageStatus
from contest_runtime.mongo import Document
from contest_runtime.problems import ProblemError

JUDGING_STAGES = (StageKind.REGIONAL, StageKind.REPUBLICAN)
SYSTEM = "system"
"""The actor of what judging does on its own, in reply to an event."""


@dataclass
class AssignmentReport:
    """What one assignment run did."""

    made: list[Assignment] = field(default_factory=list)
    short: dict[str, int] = field(default_factory=dict)
    """Application → jurors it still lacks (no commission, or too few eligible members)."""


async def open_stage(
    context: JudgingContext,
    contest_id: str,
    stage: StageKind,
    causation: Envelope[Any] | None = None,
) -> AssignmentReport:
    """Open a judging stage (once) and assign its jurors."""
    definition = await context.contests.get(contest_id)
    schedules = definition.stages if definition is not None else []
    schedule = next((s for s in schedules if s.stage == stage), None)
    now = context.clock()
    opened = Stage(
        contest_id=contest_id,
        stage=stage,
        status=StageStatus.OPEN,
        opened_at=now,
        closes_at=schedule.closes_at if schedule else None,
    )
    event = StageOpened(
        contest_id=contest_id, stage=stage, opened_at=now, closes_at=opened.closes_at
    )
    records = [
        audit_entry(contest_id, SYSTEM, "stage.opened", stage.value, now),
        outbox_event(STAGES, event, contest_id, causation),
    ]
    if await context.stages.insert(opened, records):
        await context.relay.flush(context.stages.collection, f"{contest_id}/{stage.value}")
    return await assign_pending(context, contest_id, stage, SYSTEM, causation)


async def assign_pending(
    context: JudgingContext,
    contest_id: str,
    stage: StageKind,
    actor: str,
    causation: Envelope[Any] | None = None,
) -> AssignmentReport:
    """Bring every application of an open stage up to the contest's number of jurors;
    nothing happens while the stage is not open."""
    async with context.lock(contest_id, stage).alone():
        return await _assign(context, contest_id, stage, actor, causation)


async def assign_application(
    context: JudgingContext,
    contest_id: str,
    stage: StageKind,
    application_id: str,
    causation: Envelope[Any] | None = None,
) -> AssignmentReport:
    """Bring one application of an open stage up to the contest's number of jurors (one
    screened eligible while its stage runs), reading only its commission's assignments."""
    async with context.lock(contest_id, stage).alone():
        return await _assign(context, contest_id, stage, SYSTEM, causation, only=application_id)


async def _assign(
    context: JudgingContext,
    contest_id: str,
    stage: StageKind,
    actor: str,
    causation: Envelope[Any] | None = None,
    *,
    only: str | None = None,
    replaces: str | None = None,
) -> AssignmentReport:
    """``assign_pending`` with the stage's lock held; ``only`` limits it to one application,
    whose new juror ``replaces`` one who left."""
    current = await context.stages.get(contest_id, stage)
    definition = await context.contests.get(contest_id)
    if current is None or current.status != StageStatus.OPEN or definition is None:
        return AssignmentReport()
    entrants = await _entrants(context, contest_id, stage, only)
    conflicts = await context.decisions.conflicts_of(contest_id)
    report = AssignmentReport()
    for commission_id, group in _by_commission(contest_id, stage, entrants).items():
        in_force = await context.assignments.in_force(contest_id, stage, commission_id)
        existing = [(a.application_id, a.juror_id) for a in in_force]
        made, short = await _plan_commission(
            context, definition, current, commission_id, group, conflicts, existing, replaces
        )
        await _store(context, made, actor, causation)
        report.made += made
        report.short.update(short)
    return report


async def _plan_commission(
    context: JudgingContext,
    definition: ContestDefinition,
    opened: Stage,
    commission_id: str,
    entrants: list[ApplicationCopy],
    conflicts: dict[str, frozenset[str]],
    existing: list[tuple[str, str]],
    replaces: str | None,
) -> tuple[list[Assignment], dict[str, int]]:
    """The assignments a commission's applications still need, and what stays short."""
    stage = opened.stage
    k = definition.judging.jurors_per_application
    commission = await context.commissions.get(commission_id)
    members = (
        [] if commission is None else [m for m in commission.members if m.role in SCORING_ROLES]
    )
    jurors = [
        Juror(m.juror_id, m.organisation_bin, conflicts.get(m.juror_id, frozenset()))
        for m in members
    ]
    plan = assign([_candidate(e) for e in entrants], jurors, k, existing)
    by_id = {e.application_id: e for e in entrants}
    now = context.clock()
    made = []
    for application_id, juror_id in plan.pairs:
        entrant = by_id[application_id]
        assignment = Assignment(
            assignment_id=assignment_id(definition.contest_id, stage, application_id, juror_id),
            contest_id=definition.contest_id,
            stage=stage,
            commission_id=commission_id,
            juror_id=juror_id,
            application_id=application_id,
            nomination_code=entrant.nomination_code,
            region_code=entrant.region_code,
            assigned_at=now,
            replaces_juror_id=replaces,
            due_at=opened.closes_at,
        )
        made.append(assignment)
    return made, dict(plan.short)


async def _store(
    context: JudgingContext,
    made: list[Assignment],
    actor: str,
    causation: Envelope[Any] | None,
) -> None:
    """Store new assignments, each with its audit entry and ``JurorAssigned`` in its own
    outbox (so a crash loses neither), and deliver them."""
    await context.assignments.add([(a, _records_of(a, actor, causation)) for a in made])
    await context.relay.flush_many(context.assignments.collection, [a.assignment_id for a in made])


def _records_of(
    assignment: Assignment, actor: str, causation: Envelope[Any] | None
) -> list[Document]:
    entry = audit_entry(
        assignment.contest_id,
        actor,
        "juror.assigned",
        assignment.assignment_id,
        assignment.assigned_at,
        stage=assignment.stage.value,
        commission_id=assignment.commission_id,
        application_id=assignment.application_id,
        juror_id=assignment.juror_id,
        replaces=assignment.replaces_juror_id,
    )
    event = outbox_event(ASSIGNMENTS, juror_assigned(assignment), assignment.juror_id, causation)
    return [entry, event]


def juror_assigned(assignment: Assignment) -> JurorAssigned:
    """The event announcing an assignment."""
    return JurorAssigned(
        assignment_id=assignment.assignment_id,
        contest_id=assignment.contest_id,
        stage=assignment.stage,
        commission_id=assignment.commission_id,
        juror_id=assignment.juror_id,
        application_id=assignment.application_id,
        nomination_code=assignment.nomination_code,
        region_code=assignment.region_code if assignment.stage == StageKind.REGIONAL else None,
        replaces_juror_id=assignment.replaces_juror_id,
        due_at=assignment.due_at,
        assigned_at=assignment.assigned_at,
    )


async def entrants_of(
    context: JudgingContext, contest_id: str, stage: StageKind
) -> list[ApplicationCopy]:
    """The applications a stage judges: eligible ones at the regional stage, the regional
    finalists at the republican stage."""
    if stage == StageKind.REGIONAL:
        return await context.applications.eligible(contest_id)
    regional = await context.stages.get(contest_id, StageKind.REGIONAL)
    finalist_ids = [f["application_id"] for f in regional.finalists] if regional else []
    copies = await context.applications.of_ids(finalist_ids)
    return [copies[a] for a in sorted(copies)]


async def _entrants(
    context: JudgingContext, contest_id: str, stage: StageKind, only: str | None
) -> list[ApplicationCopy]:
    """The stage's applications, or just ``only`` when it is one of them. A regional
    application is looked up alone: screenings arrive one by one while the stage runs."""
    if only is None or stage != StageKind.REGIONAL:
        entrants = await entrants_of(context, contest_id, stage)
        return entrants if only is None else [e for e in entrants if e.application_id == only]
    copy = await context.applications.get(only)
    return [copy] if copy is not None and copy.contest_id == contest_id and copy.eligible else []


def _by_commission(
    contest_id: str, stage: StageKind, entrants: list[ApplicationCopy]
) -> dict[str, list[ApplicationCopy]]:
    groups: dict[str, list[ApplicationCopy]] = defaultdict(list)
    for entrant in entrants:
        if stage == StageKind.REGIONAL:
            key = commission_key(contest_id, Level.REGIONAL, entrant.region_code)
        else:
            key = commission_key(contest_id, Level.REPUBLICAN, None)
        groups[key].append(entrant)
    return groups


def _candidate(application: ApplicationCopy) -> Candidate:
    return Candidate(
        application_id=application.application_id,
        applicant_identifier=application.applicant_identifier,
        organisation_bin=application.organisation_bin,
    )


async def declare_conflict(
    context: JudgingContext, contest_id: str, juror_id: str, application_id: str, reason: str
) -> tuple[int, list[Assignment]]:
    """Record a juror's conflict with an application; where the juror is assigned to it at an
    open stage, end that assignment (their sheet stops counting) and assign a replacement.

    Returns how many assignments ended and the replacements made.
    """
    await context.contests.require(contest_id)
    if await context.applications.get(application_id) is None:
        raise ProblemError(
            404, "application_not_found", "Not found", f"no application {application_id!r}"
        )
    now = context.clock()
    conflict = Conflict(
        contest_id=contest_id,
        juror_id=juror_id,
        application_id=application_id,
        reason=reason,
        declared_at=now,
    )
    if await context.decisions.declare_conflict(conflict):
        await context.audit.record(
            contest_id, juror_id, "conflict.declared", application_id, now, reason=reason
        )
    ended, replacements = 0, []
    for stage in JUDGING_STAGES:
        made = await _replace(context, contest_id, stage, juror_id, application_id)
        if made is not None:
            ended += 1
            replacements += made
    return ended, replacements


async def _replace(
    context: JudgingContext, contest_id: str, stage: StageKind, juror_id: str, application_id: str
) -> list[Assignment] | None:
    """End the juror's assignment at an open stage and replace them; None when they had none."""
    async with context.lock(contest_id, stage).alone():
        current = await context.stages.get(contest_id, stage)
        if current is None or current.status != StageStatus.OPEN:
            return None
        now = context.clock()
        key = assignment_id(contest_id, stage, application_id, juror_id)
        if not await context.assignments.end(key, "conflict", now):
            return None
        await context.audit.record(
            contest_id, juror_id, "assignment.ended", key, now, stage=stage.value, reason="conflict"
        )
        report = await _assign(
            context, contest_id, stage, juror_id, only=application_id, replaces=juror_id
        )
        return report.made
