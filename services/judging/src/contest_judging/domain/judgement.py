"""What a judging stage comes to: every sheet's value, each application's standing, and the
rankings per nomination (and per region at the regional stage).

Closing a stage and explaining a ranking afterwards both call :func:`judge` on the same
frozen sheets, so an explanation always shows the numbers the ranking was made of.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import fmean

from contest_contracts.events.contest import Criterion, TieBreak
from contest_judging.domain.ranking import DEFAULT_TIE_BREAKS, Ranked, Standing, rank
from contest_judging.domain.scoring import (
    Sheet,
    SheetValue,
    application_scores,
    sheet_values,
    sheets_missing,
)

GroupKey = tuple[str, str | None]
"""(nomination code, region code) of a ranking; the region is None at the republican stage."""


@dataclass(frozen=True)
class Entrant:
    """An application being judged at a stage."""

    application_id: str
    nomination_code: str
    region_code: str
    submitted_at: datetime


@dataclass(frozen=True)
class Judgement:
    """Everything a stage's rankings rest on."""

    values: list[SheetValue]
    standings: dict[str, Standing]
    rankings: dict[GroupKey, list[Ranked]]
    missing: list[tuple[str, str]]
    """(application, juror) pairs assigned and never scored."""
    short: dict[str, int]
    """Application → jurors it never had (fewer assigned than the contest asks for)."""

    @property
    def missing_sheets(self) -> int:
        """Sheets the stage lacks: unscored assignments plus jurors never assigned."""
        return len(self.missing) + sum(self.short.values())


def judge(
    entrants: Iterable[Entrant],
    assigned: Iterable[tuple[str, str]],
    sheets: Iterable[Sheet],
    rubrics: Mapping[str, Sequence[Criterion]],
    *,
    jurors_per_application: int,
    normalise: bool,
    by_region: bool,
    tie_breaks: Sequence[TieBreak] = DEFAULT_TIE_BREAKS,
) -> Judgement:
    """Rank ``entrants`` on the ``sheets`` of their ``assigned`` jurors.

    ``rubrics`` maps nomination → rubric. Sheets of pairs that are not assigned (a juror who
    declared a conflict) do not count. An application without sheets scores 0. Each
    ranking orders equal scores by ``tie_breaks`` (the contest's ``judging.tie_breaks``).
    """
    by_id = {e.application_id: e for e in entrants}
    pairs = sorted({pair for pair in assigned if pair[0] in by_id})
    in_force = set(pairs)
    counted = [s for s in sheets if (s.application_id, s.juror_id) in in_force]
    rubric_of = {a: rubrics[e.nomination_code] for a, e in by_id.items()}
    values = sheet_values(
        counted,
        rubric_of,
        normalise,
        nomination_of={a: e.nomination_code for a, e in by_id.items()},
    )
    scores = application_scores(values)
    missing = sheets_missing(pairs, [(s.application_id, s.juror_id) for s in counted])

    jurors_of: dict[str, int] = defaultdict(int)
    for application_id, _ in pairs:
        jurors_of[application_id] += 1
    missing_of: dict[str, int] = defaultdict(int)
    for application_id, _ in missing:
        missing_of[application_id] += 1
    short = {
        a: jurors_per_application - jurors_of[a]
        for a in sorted(by_id)
        if jurors_of[a] < jurors_per_application
    }
    sheets_of: dict[str, list[Sheet]] = defaultdict(list)
    for sheet in counted:
        sheets_of[sheet.application_id].append(sheet)

    standings: dict[str, Standing] = {}
    groups: dict[GroupKey, list[Standing]] = defaultdict(list)
    for application_id, entrant in by_id.items():
        own = sheets_of[application_id]
        rubric = rubric_of[application_id]
        means = [fmean(s.scores[c.code] for s in own) if own else 0.0 for c in rubric]
        standing = Standing(
            application_id=application_id,
            score=scores.get(application_id, 0.0),
            criterion_means=tuple(means),
            sheets=len(own),
            missing_sheets=missing_of[application_id] + short.get(application_id, 0),
            submitted_at=entrant.submitted_at,
            criteria=dict(zip((c.code for c in rubric), means, strict=True)) if own else {},
        )
        standings[application_id] = standing
        region = entrant.region_code if by_region else None
        groups[(entrant.nomination_code, region)].append(standing)
    rankings = {key: rank(groups[key], tie_breaks) for key in sorted(groups, key=_group_order)}
    return Judgement(values, standings, rankings, missing, short)


def _group_order(key: GroupKey) -> tuple[str, str]:
    return key[0], key[1] or ""
