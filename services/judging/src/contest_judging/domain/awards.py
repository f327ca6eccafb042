"""Places and people's-choice prizes, with ties allowed.

Places are handed out down the ranking: each place (1st x1, 2nd x2, 3rd x2...) takes
applications until its number of winners is reached; an application tied with the last
one taken gets the same place too, so a tie can give a place more winners than planned,
and the next place starts after everyone tied. Places never skip: a tie on 1st place does
not remove a 2nd place.

People's choice goes to the finalists with most certified votes: ``count`` prizes, with
everyone tied with the last prize-winner included, ranked 1, 1, 3 by votes. Nobody with no
votes wins it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby

from contest_contracts.events.contest import PlacePrize
from contest_judging.domain.ranking import Ranked


@dataclass(frozen=True)
class Place:
    """A place won."""

    place: int
    entry: Ranked
    grant_tenge: int


def places(ranked: Sequence[Ranked], prizes: Sequence[PlacePrize]) -> list[Place]:
    """The places of one nomination's ranking (best first)."""
    groups = [list(group) for _, group in groupby(ranked, key=lambda entry: entry.rank)]
    won: list[Place] = []
    for prize in sorted(prizes, key=lambda p: p.place):
        taken = 0
        while groups and taken < prize.winners:
            group = groups.pop(0)
            won.extend(Place(prize.place, entry, prize.grant_tenge) for entry in group)
            taken += len(group)
    return won


@dataclass(frozen=True)
class Choice:
    """A people's-choice prize."""

    rank: int
    application_id: str
    votes: int


def peoples_choice(votes: Mapping[str, int], count: int) -> list[Choice]:
    """The ``count`` most voted applications (ties at the boundary all included)."""
    ordered = sorted(
        ((application_id, n) for application_id, n in votes.items() if n > 0),
        key=lambda item: (-item[1], item[0]),
    )
    chosen: list[Choice] = []
    for _, group in groupby(ordered, key=lambda item: item[1]):
        if len(chosen) >= count:
            break
        members = list(group)
        position = len(chosen) + 1
        chosen.extend(Choice(position, application_id, n) for application_id, n in members)
    return chosen
