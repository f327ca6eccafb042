"""What the public sees of a tally, by the contest's visibility rule.

- ``live``: every choice with its rank and votes.
- ``ranks_only``: ranks, no votes.
- ``hidden``: the choices, with neither ranks nor votes.

Participation (valid ballots in the nomination) is always public. Once the vote is closed
and certified, everything is public. Ranks are competition ranks (1, 1, 3), most votes first;
equal votes are listed by application id.
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
