"""Score sheets: what a valid one is, its weighted total, and the score of an application.

- A sheet gives every criterion of the nomination's rubric an integer from 0 to the
  criterion's maximum, and nothing else.
- Its weighted total is the sum of weight x score over the criteria.
- With normalisation on (the contest definition's ``judging.normalise_scores``), each total
  is replaced by ``stage mean + stage deviation x z``, where ``z`` is the total's z-score
  among the sheets of the same juror in the stage: a strict and a lenient juror then weigh
  the same, and the numbers stay on the rubric's scale. A juror with fewer than two sheets,
  or who gave every sheet the same total, says nothing about their leniency: ``z`` is 0.
- An application's score is the mean of its sheets' (normalised) totals.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import fmean, pstdev

from contest_contracts.events.contest import Criterion

_EPSILON = 1e-9
"""Deviations below this are rounding noise: the juror gave equal totals."""


@dataclass(frozen=True)
class Sheet:
    """A juror's submitted score sheet for one application."""

    sheet_id: str
    juror_id: str
    application_id: str
    scores: Mapping[str, int]
    submitted_at: datetime


def sheet_problems(scores: Mapping[str, int], rubric: Sequence[Criterion]) -> list[str]:
    """Why a sheet cannot be accepted (empty when it can)."""
    problems = []
    criteria = {c.code: c for c in rubric}
    for code in criteria.keys() - scores.keys():
        problems.append(f"{code}: missing")
    for code in scores.keys() - criteria.keys():
        problems.append(f"{code}: not a criterion of this nomination")
    for code, score in scores.items():
        criterion = criteria.get(code)
        if criterion is not None and not 0 <= score <= criterion.max_score:
            problems.append(f"{code}: {score} is outside 0..{criterion.max_score}")
    return sorted(problems)


def weighted_total(scores: Mapping[str, int], rubric: Sequence[Criterion]) -> float:
    """Sum of weight x score over the rubric's criteria, rounded to 9 decimals: decimal
    weights such as 0.1 are not exact in binary, and equal totals must be equal."""
    return round(math.fsum(c.weight * scores[c.code] for c in rubric), 9)


@dataclass(frozen=True)
class SheetValue:
    """How one sheet counts, with every step shown."""

    sheet_id: str
    juror_id: str
    application_id: str
    total: float
    juror_mean: float
    juror_deviation: float
    z: float
    stage_mean: float
    stage_deviation: float
    counted: float
    """The value the application's mean uses: the total, or, normalised,
    ``stage_mean + stage_deviation x z``."""


def sheet_values(
    sheets: Iterable[Sheet], rubric_of: Mapping[str, Sequence[Criterion]], normalise: bool
) -> list[SheetValue]:
    """The counted value of every sheet of a stage; ``rubric_of`` maps application → rubric.

    Normalisation is per juror across the whole stage (all nominations a juror scored).
    """
    sheets = list(sheets)
    totals = {s.sheet_id: weighted_total(s.scores, rubric_of[s.application_id]) for s in sheets}
    by_juror: dict[str, list[float]] = defaultdict(list)
    for sheet in sheets:
        by_juror[sheet.juror_id].append(totals[sheet.sheet_id])
    everything = list(totals.values())
    stage_mean = fmean(everything) if everything else 0.0
    stage_deviation = pstdev(everything) if len(everything) > 1 else 0.0
    values = []
    for sheet in sheets:
        own = by_juror[sheet.juror_id]
        mean = fmean(own)
        deviation = pstdev(own) if len(own) > 1 else 0.0
        total = totals[sheet.sheet_id]
        z = (total - mean) / deviation if deviation > _EPSILON else 0.0
        counted = stage_mean + stage_deviation * z if normalise else total
        values.append(
            SheetValue(
                sheet_id=sheet.sheet_id,
                juror_id=sheet.juror_id,
                application_id=sheet.application_id,
                total=total,
                juror_mean=mean,
                juror_deviation=deviation,
                z=z,
                stage_mean=stage_mean,
                stage_deviation=stage_deviation,
                counted=counted,
            )
        )
    return values


def application_scores(values: Iterable[SheetValue]) -> dict[str, float]:
    """Mean counted value per application."""
    counted: dict[str, list[float]] = defaultdict(list)
    for value in values:
        counted[value.application_id].append(value.counted)
    return {application_id: fmean(own) for application_id, own in counted.items()}


def sheets_missing(
    assigned: Iterable[tuple[str, str]], submitted: Iterable[tuple[str, str]]
) -> list[tuple[str, str]]:
    """(application, juror) pairs assigned but never scored."""
    done = set(submitted)
    return sorted(pair for pair in assigned if pair not in done)
