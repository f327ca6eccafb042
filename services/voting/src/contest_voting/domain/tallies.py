"""What the public sees of a tally, by the contest's visibility rule.

- ``live``: every choice with its rank and votes, and the nomination's participation.
- ``ranks_only``: ranks; no votes and no participation.
- ``hidden``: the choices, with neither ranks, votes nor participation: a view that does
  not change while votes come in.

Once the vote is closed and certified, everything is public. Ranks are competition ranks
(1, 1, 3), most votes first; equal votes are listed by application id.

Why no participation before certification (``public_participation``): any figure that
grows with the votes can be read often and differenced. Participation per nomination plus
ranks gives back every finalist's exact count whenever votes arrive slower than the views
are refreshed (each step of one vote goes to the finalist whose rank moved); in a
nomination with a single finalist, participation *is* its count. Rounding or a contest-wide
total does not close this: a rounded figure still gives the exact total at the moment it
steps, and a contest of one nomination has a contest-wide total equal to it. So a view that
keeps counts back shows nothing that follows them but what its rule names: under
``ranks_only`` the order alone (which ties and overtakings reveal only as order), under
``hidden`` nothing at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from contest_contracts.events.contest import TallyVisibility
from contest_contracts.events.voting import TallyEntry


def ranked(counts: Mapping[str, int], choices: Sequence[str]) -> list[tuple[int, str, int]]:
    """(rank, application, votes) for every choice, most votes first."""
    ordered = sorted(choices, key=lambda a: (-counts.get(a, 0), a))
    lines: list[tuple[int, str, int]] = []
    for position, application_id in enumerate(ordered, start=1):
        votes = counts.get(application_id, 0)
        if lines and lines[-1][2] == votes:
            position = lines[-1][0]
        lines.append((position, application_id, votes))
    return lines


def public_entries(
    counts: Mapping[str, int],
    choices: Sequence[str],
    visibility: TallyVisibility,
    *,
    certified: bool,
) -> list[TallyEntry]:
    """The entries of a tally that ``visibility`` lets the public see."""
    shown = TallyVisibility.LIVE if certified else visibility
    if shown == TallyVisibility.HIDDEN:
        return [TallyEntry(application_id=a) for a in sorted(choices)]
    return [
        TallyEntry(
            application_id=application_id,
            rank=rank,
            votes=votes if shown == TallyVisibility.LIVE else None,
        )
        for rank, application_id, votes in ranked(counts, choices)
    ]


def public_participation(
    counts: Mapping[str, int], visibility: TallyVisibility, *, certified: bool
) -> int:
    """The participation a view may show: the valid ballots when its counts are public
    (``live``, or certified), else 0, which then means "not shown" (see the module)."""
    if certified or visibility == TallyVisibility.LIVE:
        return sum(counts.values())
    return 0
