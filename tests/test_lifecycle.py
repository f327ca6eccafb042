"""A whole edition, small, with every service a process of its own on the real broker and
store, played through the public APIs only. The test then works out the finalists, the
places and the people's choice on its own, from the sheets and ballots it sent, and finds
the same in the published results."""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from datetime import datetime
from itertools import groupby

import pytest

from contest_contracts.common import StageKind
from contest_contracts.events.contest import ContestDefinition, Nomination
from contest_intake.domain.definitions import demo_definition
from contest_local.edition.plan import Scale, plan_edition
from contest_local.edition.play import Edition, Platform, Played, Sheets

pytestmark = pytest.mark.infra

SCALE = Scale(
    applications=40,
    empty_cells=1,
    ineligible=3,
    regional_jurors=3,
    republican_jurors=4,
    voters=120,
)


def small_contest() -> ContestDefinition:
    """The demo contest in six regions and two nominations (one of workers, one of projects),
    scores counted as sent (no per-juror normalisation), so the test can recount them."""
    demo = demo_definition()
    return demo.model_copy(
        update={
            "regions": demo.regions[:6],
            "nominations": demo.nominations[:2],
            "judging": demo.judging.model_copy(update={"normalise_scores": False}),
        }
    )


async def test_a_whole_edition_gives_the_results_its_sheets_and_ballots_decide(
    platform: Platform,
) -> None:
    definition = small_contest()
    plan = plan_edition(definition, SCALE, seed=int.from_bytes(os.urandom(2), "big"))
    played = await Edition(plan, platform).play()

    nominations = {n.code: n for n in definition.nominations}
    eligible = {a for a, planned in played.filed.items() if planned.eligible}
    assert len(played.filed) == SCALE.applications
    regional = played.sheets[StageKind.REGIONAL]
    assert set(regional) == eligible  # nobody ineligible was judged, nobody eligible missed
    jurors = definition.judging.jurors_per_application
    assert all(len(sheets) == jurors for sheets in regional.values())

    expected_finalists: dict[str, set[str]] = defaultdict(set)
    cells: dict[tuple[str, str], list[str]] = defaultdict(list)
    for application_id in eligible:
        form = played.filed[application_id].form
        cells[(form["region_code"], form["nomination_code"])].append(application_id)
    for (_, nomination), applications in cells.items():
        ranked = ranking(applications, regional, nominations[nomination], played)
        quota = nominations[nomination].finalists_per_region
        expected_finalists[nomination] |= {a for a, rank in ranked if rank <= quota}
    assert {n: set(ids) for n, ids in played.finalists.items()} == expected_finalists

    votes = Counter(choice for ballot in played.ballots_sent for choice in ballot)
    assert played.votes_accepted == sum(votes.values())
    republican = played.sheets[StageKind.REPUBLICAN]
    results = {r["nomination_code"]: r for r in played.results["nominations"]}
    places_given = sum(p.winners for p in definition.prizes.places)
    for nomination, finalists in expected_finalists.items():
        published = results[nomination]
        ranked = ranking(sorted(finalists), republican, nominations[nomination], played)
        assert [(p["place"], p["application_id"]) for p in published["places"]] == places_of(
            ranked, definition
        )
        counted = {a: votes[(nomination, a)] for a in finalists}
        assert [
            (c["rank"], c["application_id"], c["votes"]) for c in published["peoples_choice"]
        ] == peoples_choice(counted, definition.prizes.peoples_choice)
        # The demo's commission gives one special prize in a nomination with finalists
        # beyond the places, to the best of those.
        prizes = [p["application_id"] for p in published["special_prizes"]]
        assert len(prizes) == (1 if len(finalists) > places_given else 0)
        assert set(prizes) <= finalists


def ranking(
    applications: list[str], sheets: Sheets, nomination: Nomination, played: Played
) -> list[tuple[str, int]]:
    """(application, rank) best first: mean weighted total of its sheets, then mean score on
    the rubric's first criterion, then earlier submission; equal ones share a rank."""
    first = nomination.rubric[0].code

    def merit(application_id: str) -> tuple[float, float, datetime]:
        scored = sheets[application_id].values()
        totals = [sum(c.weight * sheet[c.code] for c in nomination.rubric) for sheet in scored]
        return (
            -round(sum(totals) / len(totals), 9),
            -round(sum(sheet[first] for sheet in scored) / len(totals), 9),
            played.submitted_at[application_id],
        )

    ordered = sorted(applications, key=lambda a: (merit(a), a))
    return [(a, 1 + sum(merit(b) < merit(a) for b in ordered)) for a in ordered]


def places_of(
    ranked: list[tuple[str, int]], definition: ContestDefinition
) -> list[tuple[int, str]]:
    """Places in prize order; a tie takes the whole tied group into the place."""
    groups = [[a for a, _ in group] for _, group in groupby(ranked, key=lambda entry: entry[1])]
    won: list[tuple[int, str]] = []
    for prize in sorted(definition.prizes.places, key=lambda p: p.place):
        taken = 0
        while groups and taken < prize.winners:
            group = groups.pop(0)
            won += [(prize.place, a) for a in group]
            taken += len(group)
    return won


def peoples_choice(votes: dict[str, int], count: int) -> list[tuple[int, str, int]]:
    """The most voted finalists, ties at the boundary included, sharing their rank."""
    ordered = sorted(((a, n) for a, n in votes.items() if n > 0), key=lambda x: (-x[1], x[0]))
    chosen: list[tuple[int, str, int]] = []
    for application_id, n in ordered:
        if chosen and chosen[-1][2] == n:
            chosen.append((chosen[-1][0], application_id, n))
        elif len(chosen) < count:
            chosen.append((len(chosen) + 1, application_id, n))
        else:
            break
    return chosen
