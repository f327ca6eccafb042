"""Score sheets: what a valid one is, its weighted total, and the score of an application.

- A sheet gives every criterion of the nomination's rubric an integer from 0 to the
  criterion's maximum, and nothing else.
- Its weighted total is the sum of weight x score over the criteria; the nomination's
  highest total is the sum of weight x maximum.
- With normalisation on (the contest definition's ``judging.normalise_scores``), each
  nomination of a stage is normalised on its own, so that rubrics of different scales never
  mix and a juror's sheets in one nomination never move their values in another:

  - ``z`` is the total's z-score among the same juror's sheets *of that nomination* in the
    stage: (total - the juror's mean) / the juror's population standard deviation. A juror
    with fewer than two sheets of the nomination, or who gave each the same total, says
    nothing about their leniency: ``z`` is 0.
  - The counted value is ``nomination mean + nomination deviation x z``, where the mean and
    the population standard deviation are those of every total of the nomination in the
    stage (every region's, at the regional stage). A strict and a lenient juror then weigh
    the same.
  - The counted value is then clamped to ``0 .. the nomination's highest total``: a juror
    with a narrow spread in a nomination with a wide one can have a ``z`` whose value would
    fall outside the rubric's scale (up to sqrt(n - 1) deviations for n sheets), and a
    published score must read as points of the rubric. Clamping keeps each juror's order
    (two sheets may become equal at an end of the scale, never swapped) and a strict and a
    lenient juror's equal ``z`` equal; it moves the nomination's mean only when a value was
    clamped.

- An application's score is the mean of its sheets' counted values, so it stays within
  ``0 .. the nomination's highest total`` too.
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


def highest_total(rubric: Sequence[Criterion]) -> float:
    """The highest total a sheet of ``rubric`` can have: every criterion at its maximum."""
    return weighted_total({c.code: c.max_score for c in rubric}, rubric)


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
    """z among the juror's sheets of the same nomination in the stage."""
    stage_mean: float
    """Mean of every total of the nomination in the stage."""
    stage_deviation: float
    """Population standard deviation of every total of the nomination in the stage."""
    highest_total: float
    """The nomination's highest possible total (sum of weight x maximum)."""
    counted: float
    """The value the application's mean uses: the total, or, normalised,
    ``stage_mean + stage_deviation x z`` clamped to ``0 .. highest_total``."""


def sheet_values(
    sheets: Iterable[Sheet],
    rubric_of: Mapping[str, Sequence[Criterion]],
    normalise: bool,
    *,
    nomination_of: Mapping[str, str],
) -> list[SheetValue]:
    """The counted value of every sheet of a stage, in the sheets' order; ``rubric_of`` and
    ``nomination_of`` map application → rubric and nomination code.

    Normalisation is per nomination: a juror's z among their sheets of the nomination, the
    nomination's mean and population deviation, clamped to its scale (see the module).
    """
    sheets = list(sheets)
    totals = {s.sheet_id: weighted_total(s.scores, rubric_of[s.application_id]) for s in sheets}
    by_nomination: dict[str, list[float]] = defaultdict(list)
    by_juror: dict[tuple[str, str], list[float]] = defaultdict(list)
    for sheet in sheets:
        nomination = nomination_of[sheet.application_id]
        by_nomination[nomination].append(totals[sheet.sheet_id])
        by_juror[(nomination, sheet.juror_id)].append(totals[sheet.sheet_id])
    values = []
    for sheet in sheets:
        nomination = nomination_of[sheet.application_id]
        everything = by_nomination[nomination]
        stage_mean = fmean(everything)
        stage_deviation = pstdev(everything) if len(everything) > 1 else 0.0
        own = by_juror[(nomination, sheet.juror_id)]
        mean = fmean(own)
        deviation = pstdev(own) if len(own) > 1 else 0.0
        total = totals[sheet.sheet_id]
        z = (total - mean) / deviation if deviation > _EPSILON else 0.0
        highest = highest_total(rubric_of[sheet.application_id])
        counted = min(max(stage_mean + stage_deviation * z, 0.0), highest) if normalise else total
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
                highest_total=highest,
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
