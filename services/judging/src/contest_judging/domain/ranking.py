"""Ranking applications, with the contest's tie-breaks.

Order, best first:

1. higher application score;
2. then the contest definition's ``judging.tie_breaks``, in the order it lists them, each
   one of:

   - ``criteria``: higher mean on the rubric's first criterion, then on its second, and so
     on (the one a contest lists first is the one it values most when totals are equal);
   - ``fewer_missing_sheets``: fewer missing sheets (a score resting on more sheets is more
     certain);
   - ``earlier_submission``: earlier first submission.

   The default is ``criteria`` alone.

Applications equal on the score and every tie-break listed share a rank (standard
competition ranking: 1, 1, 3), and so share a finalist place and a prize place; they are
listed by application id. Scores and means are compared rounded to 9 decimals, so that two
equal sums computed in a different order are equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import Any

from contest_contracts.events.contest import TieBreak

DEFAULT_TIE_BREAKS: tuple[TieBreak, ...] = (TieBreak.CRITERIA,)
"""The tie-breaks of a contest that names none: the criteria, then sharing."""

_SAYING = {
    TieBreak.CRITERIA: "higher mean on each criterion in the rubric's order",
    TieBreak.FEWER_MISSING_SHEETS: "fewer missing sheets",
    TieBreak.EARLIER_SUBMISSION: "earlier submission",
}


@dataclass(frozen=True)
class Standing:
    """What an application is ranked on."""

    application_id: str
    score: float
    criterion_means: tuple[float, ...]
    """Each criterion's mean over the sheets counted, in the rubric's order (0 each without
    sheets): what the ``criteria`` tie-break compares."""
    sheets: int
    missing_sheets: int
    submitted_at: datetime
    criteria: dict[str, float] = field(default_factory=dict)
    """Each criterion's mean over the sheets counted, in the rubric's points (empty without
    sheets)."""

    @property
    def first_criterion(self) -> float:
        """The mean on the rubric's first criterion."""
        return self.criterion_means[0] if self.criterion_means else 0.0


@dataclass(frozen=True)
class Ranked:
    """A standing with its rank."""

    rank: int
    standing: Standing


Merit = tuple[Any, ...]
"""A standing's place in the order as a key: smaller is better."""


def merit(standing: Standing, tie_breaks: Sequence[TieBreak] = DEFAULT_TIE_BREAKS) -> Merit:
    """The key the ranking sorts on: the score, then each tie-break (each its own element,
    so that different kinds are never compared with each other)."""
    key: list[Any] = [-round(standing.score, 9)]
    for tie_break in tie_breaks:
        if tie_break == TieBreak.CRITERIA:
            key.append(tuple(-round(mean, 9) for mean in standing.criterion_means))
        elif tie_break == TieBreak.FEWER_MISSING_SHEETS:
            key.append(standing.missing_sheets)
        else:
            key.append(standing.submitted_at)
    return tuple(key)


def rank(
    standings: Iterable[Standing], tie_breaks: Sequence[TieBreak] = DEFAULT_TIE_BREAKS
) -> list[Ranked]:
    """Every standing with its rank, best first (see the module's tie-breaks)."""
    keyed = [(merit(s, tie_breaks), s) for s in standings]
    keyed.sort(key=lambda item: (item[0], item[1].application_id))
    ranked: list[Ranked] = []
    for _, group in groupby(keyed, key=lambda item: item[0]):
        members = [standing for _, standing in group]
        position = len(ranked) + 1
        ranked.extend(Ranked(rank=position, standing=member) for member in members)
    return ranked


def saying(tie_breaks: Sequence[TieBreak]) -> str:
    """The ranking's order in words, for a ranking's explanation."""
    steps = ["higher score", *(_SAYING[t] for t in tie_breaks)]
    return (
        ", then ".join(steps)
        + "; applications equal on all of these share a rank (1, 1, 3), listed by id"
    )


def top(ranked: Iterable[Ranked], quota: int) -> list[Ranked]:
    """The first ``quota`` places: everyone ranked ``quota`` or better, so a tie on the last
    place takes every tied application (the quota is a number of places, not of people)."""
    return [entry for entry in ranked if entry.rank <= quota]
