"""Ranking applications, with tie-breaks written down.

Order, best first:

1. higher application score;
2. higher mean score on the rubric's first criterion (the one a contest lists first is
   the one it values most when totals are equal);
3. fewer missing sheets (a score resting on more sheets is more certain);
4. earlier first submission.

Applications equal on all four share a rank (standard competition ranking: 1, 1, 3) and are
listed by application id. Scores are compared rounded to 9 decimals, so that two equal sums
computed in a different order are equal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby


@dataclass(frozen=True)
class Standing:
    """What an application is ranked on."""

    application_id: str
    score: float
    first_criterion: float
    sheets: int
    missing_sheets: int
    submitted_at: datetime
    criteria: dict[str, float] = field(default_factory=dict)
    """Each criterion's mean over the sheets counted, in the rubric's points."""


@dataclass(frozen=True)
class Ranked:
    """A standing with its rank."""

    rank: int
    standing: Standing


def _merit(standing: Standing) -> tuple[float, float, int, datetime]:
    return (
        -round(standing.score, 9),
        -round(standing.first_criterion, 9),
        standing.missing_sheets,
        standing.submitted_at,
    )


def rank(standings: Iterable[Standing]) -> list[Ranked]:
    """Every standing with its rank, best first (see the module's tie-breaks)."""
    ordered = sorted(standings, key=lambda s: (_merit(s), s.application_id))
    ranked: list[Ranked] = []
    for _, group in groupby(ordered, key=_merit):
        members = list(group)
        position = len(ranked) + 1
        ranked.extend(Ranked(rank=position, standing=member) for member in members)
    return ranked


def top(ranked: Iterable[Ranked], quota: int) -> list[Ranked]:
    """The first ``quota`` places: everyone ranked ``quota`` or better, so a tie on the last
    place takes every tied application (the quota is a number of places, not of people)."""
    return [entry for entry in ranked if entry.rank <= quota]
