"""Awards: places handed down the ranking with ties (a tie can add winners, never remove a
place), grants from the prize structure, and people's-choice prizes by certified votes."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from contest_contracts.events.contest import PlacePrize
from contest_judging.domain.awards import Choice, Place, peoples_choice, places
from contest_judging.domain.ranking import Ranked, Standing, rank

T0 = datetime(2025, 10, 1, 12, 0, tzinfo=UTC)

PRIZES = [
    PlacePrize(place=1, winners=1, grant_tenge=5_000_000),
    PlacePrize(place=2, winners=2, grant_tenge=2_500_000),
    PlacePrize(place=3, winners=2, grant_tenge=1_000_000),
]
GRANT = {p.place: p.grant_tenge for p in PRIZES}


def standing(application_id: str, score: float) -> Standing:
    return Standing(
        application_id=application_id,
        score=score,
        criterion_means=(5.0,),
        sheets=3,
        missing_sheets=0,
        submitted_at=T0,
    )


def ranking(*scores: float) -> list[Ranked]:
    """A ranking of ``app-0``, ``app-1``... with these scores (equal scores tie)."""
    return rank(standing(f"app-{i}", score) for i, score in enumerate(scores))


def won(result: list[Place]) -> list[tuple[int, str]]:
    return [(p.place, p.entry.standing.application_id) for p in result]


# -- places(): examples -------------------------------------------------------------------


def test_without_ties_five_winners_in_order() -> None:
    ranked = ranking(90, 80, 70, 60, 50, 40, 30)
    result = places(ranked, PRIZES)
    assert won(result) == [(1, "app-0"), (2, "app-1"), (2, "app-2"), (3, "app-3"), (3, "app-4")]
    assert [p.entry for p in result] == ranked[:5]


def test_grants_come_from_the_place_prize() -> None:
    result = places(ranking(90, 80, 70, 60, 50, 40), PRIZES)
    assert [p.grant_tenge for p in result] == [
        5_000_000,
        2_500_000,
        2_500_000,
        1_000_000,
        1_000_000,
    ]


def test_prizes_are_handed_out_by_place_whatever_their_order() -> None:
    ranked = ranking(90, 80, 70, 60, 50)
    assert places(ranked, list(reversed(PRIZES))) == places(ranked, PRIZES)


def test_a_tie_on_first_gives_two_firsts_and_still_two_seconds() -> None:
    ranked = ranking(90, 90, 80, 70, 60, 50, 40)
    result = places(ranked, PRIZES)
    assert won(result) == [
        (1, "app-0"),
        (1, "app-1"),
        (2, "app-2"),
        (2, "app-3"),
        (3, "app-4"),
        (3, "app-5"),
    ]


def test_a_tie_across_the_second_place_boundary_gives_every_tied_entry_second() -> None:
    ranked = ranking(90, 80, 70, 70, 60, 50, 40)
    result = places(ranked, PRIZES)
    assert won(result) == [
        (1, "app-0"),
        (2, "app-1"),
        (2, "app-2"),
        (2, "app-3"),
        (3, "app-4"),
        (3, "app-5"),
    ]
    assert [p.grant_tenge for p in result if p.place == 2] == [2_500_000] * 3


def test_a_tie_within_second_place_uses_it_up() -> None:
    result = places(ranking(90, 80, 80, 70, 60, 50), PRIZES)
    assert won(result) == [(1, "app-0"), (2, "app-1"), (2, "app-2"), (3, "app-3"), (3, "app-4")]


def test_a_short_ranking_fills_the_places_it_can() -> None:
    assert won(places(ranking(90, 80), PRIZES)) == [(1, "app-0"), (2, "app-1")]
    assert places([], PRIZES) == []


def test_everyone_tied_takes_first_place() -> None:
    result = places(ranking(50, 50, 50, 50, 50, 50, 50), PRIZES)
    assert {p.place for p in result} == {1}
    assert len(result) == 7


def test_no_prizes_no_places() -> None:
    assert places(ranking(90, 80), []) == []


# -- places(): properties -----------------------------------------------------------------


@st.composite
def prize_structures(draw: st.DrawFn) -> list[PlacePrize]:
    n = draw(st.integers(min_value=0, max_value=4))
    return [
        PlacePrize(
            place=place,
            winners=draw(st.integers(min_value=1, max_value=3)),
            grant_tenge=draw(st.integers(min_value=0, max_value=10_000_000)),
        )
        for place in range(1, n + 1)
    ]


tied_scores = st.lists(st.sampled_from([10.0, 20.0, 30.0, 40.0, 50.0]), max_size=12)


@settings(max_examples=100, deadline=None)
@given(tied_scores, prize_structures())
def test_places_go_down_the_ranking_once_each(
    scores: list[float], prizes: list[PlacePrize]
) -> None:
    ranked = ranking(*scores)
    result = places(ranked, prizes)
    winners = [p.entry.standing.application_id for p in result]
    assert len(winners) == len(set(winners))
    assert [p.entry for p in result] == ranked[: len(result)]
    assert [p.place for p in result] == sorted(p.place for p in result)
    grants = {p.place: p.grant_tenge for p in prizes}
    assert all(p.grant_tenge == grants[p.place] for p in result)


@settings(max_examples=100, deadline=None)
@given(tied_scores, prize_structures())
def test_tied_entries_share_a_place_and_places_never_skip(
    scores: list[float], prizes: list[PlacePrize]
) -> None:
    ranked = ranking(*scores)
    result = places(ranked, prizes)
    place_of = {p.entry.standing.application_id: p.place for p in result}
    for a in ranked:
        for b in ranked:
            if a.rank == b.rank:
                assert place_of.get(a.standing.application_id) == place_of.get(
                    b.standing.application_id
                )
    awarded = sorted({p.place for p in result})
    assert awarded == [p.place for p in prizes][: len(awarded)]
    if ranked[len(result) :]:
        # entries left without a place: every place was handed out, none skipped
        assert awarded == [p.place for p in prizes]
    for prize in prizes:
        mine = [p for p in result if p.place == prize.place]
        if not mine:
            continue
        # the place took whole rank groups until it had its winners, and not one group more
        last_group = [p for p in mine if p.entry.rank == mine[-1].entry.rank]
        assert len(mine) - len(last_group) < prize.winners
        # whole groups until its number of winners: only the last place awarded may fall short,
        # and only when the ranking ran out
        if ranked[len(result) :] or prize.place != awarded[-1]:
            assert len(mine) >= prize.winners


# -- peoples_choice() ---------------------------------------------------------------------


def test_peoples_choice_without_ties_gives_count_prizes() -> None:
    votes = {"app-a": 10, "app-b": 30, "app-c": 20, "app-d": 5}
    assert peoples_choice(votes, 3) == [
        Choice(1, "app-b", 30),
        Choice(2, "app-c", 20),
        Choice(3, "app-a", 10),
    ]


def test_peoples_choice_includes_everyone_tied_with_the_last_prize() -> None:
    votes = {"app-a": 30, "app-b": 20, "app-c": 10, "app-d": 10, "app-e": 5}
    assert peoples_choice(votes, 3) == [
        Choice(1, "app-a", 30),
        Choice(2, "app-b", 20),
        Choice(3, "app-c", 10),
        Choice(3, "app-d", 10),
    ]


def test_peoples_choice_ranks_ties_one_one_three() -> None:
    votes = {"app-c": 40, "app-a": 40, "app-b": 25, "app-d": 10}
    assert peoples_choice(votes, 3) == [
        Choice(1, "app-a", 40),
        Choice(1, "app-c", 40),
        Choice(3, "app-b", 25),
    ]


def test_nobody_without_votes_wins_peoples_choice() -> None:
    votes = {"app-a": 7, "app-b": 0, "app-c": 0}
    assert peoples_choice(votes, 3) == [Choice(1, "app-a", 7)]
    assert peoples_choice({"app-a": 0}, 1) == []
    assert peoples_choice({}, 3) == []


def test_no_peoples_choice_prizes_means_no_winners() -> None:
    assert peoples_choice({"app-a": 7}, 0) == []


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([f"app-{i}" for i in range(10)]),
        st.integers(min_value=0, max_value=6),
    ),
    st.integers(min_value=0, max_value=6),
)
def test_every_chosen_application_has_at_least_the_votes_of_every_other(
    votes: dict[str, int], count: int
) -> None:
    chosen = peoples_choice(votes, count)
    chosen_ids = {c.application_id for c in chosen}
    assert len(chosen_ids) == len(chosen)
    assert all(c.votes == votes[c.application_id] > 0 for c in chosen)
    for c in chosen:
        for application_id, n in votes.items():
            if application_id not in chosen_ids:
                assert c.votes >= n
    with_votes = [a for a, n in votes.items() if n > 0]
    assert len(chosen) >= min(count, len(with_votes))
    if chosen:
        # more than count only through a tie with the last prize-winner
        last = chosen[-1].votes
        assert len([c for c in chosen if c.votes > last]) < count
    for c in chosen:
        assert c.rank == 1 + sum(1 for n in votes.values() if n > c.votes)
    assert [(-c.votes, c.application_id) for c in chosen] == sorted(
        (-c.votes, c.application_id) for c in chosen
    )
