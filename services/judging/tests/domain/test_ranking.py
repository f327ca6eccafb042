"""Ranking: best first by score, then first criterion, then fewer missing sheets, then earlier
submission; standard competition ranks (1, 1, 3) for applications equal on all four, listed
by application id; and a quota of places that takes everyone tied on the last one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from contest_judging.domain.ranking import Ranked, Standing, rank, top

T0 = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)


def standing(
    application_id: str,
    score: float = 50.0,
    first_criterion: float = 5.0,
    missing_sheets: int = 0,
    submitted_at: datetime = T0,
    sheets: int = 3,
) -> Standing:
    return Standing(
        application_id=application_id,
        score=score,
        first_criterion=first_criterion,
        sheets=sheets,
        missing_sheets=missing_sheets,
        submitted_at=submitted_at,
    )


def ids(ranked: list[Ranked]) -> list[str]:
    return [entry.standing.application_id for entry in ranked]


def ranks(ranked: list[Ranked]) -> list[int]:
    return [entry.rank for entry in ranked]


def merit(s: Standing) -> tuple[float, float, int, datetime]:
    """The docstring's order as a key, smaller is better (scores rounded to 9 decimals)."""
    return (-round(s.score, 9), -round(s.first_criterion, 9), s.missing_sheets, s.submitted_at)


@st.composite
def standings(draw: st.DrawFn, max_size: int = 12) -> list[Standing]:
    """Standings with distinct ids, drawn from few values so that ties are common."""
    n = draw(st.integers(min_value=0, max_value=max_size))
    application_ids = draw(st.permutations([f"app-{i:02d}" for i in range(n)]))
    return [
        standing(
            application_id,
            score=draw(st.sampled_from([40.0, 55.5, 70.25, 90.0])),
            first_criterion=draw(st.sampled_from([3.0, 7.5])),
            missing_sheets=draw(st.integers(min_value=0, max_value=2)),
            submitted_at=T0 + timedelta(hours=draw(st.integers(min_value=0, max_value=2))),
            sheets=draw(st.integers(min_value=0, max_value=5)),
        )
        for application_id in application_ids
    ]


# -- examples: the tie-breaks in order ----------------------------------------------------


def test_a_higher_score_ranks_first_whatever_the_tie_breaks_say() -> None:
    better = standing(
        "app-b", score=80.0, first_criterion=1.0, missing_sheets=2, submitted_at=T0 + timedelta(3)
    )
    worse = standing("app-a", score=79.0, first_criterion=10.0, missing_sheets=0)
    ranked = rank([worse, better])
    assert ids(ranked) == ["app-b", "app-a"]
    assert ranks(ranked) == [1, 2]


def test_equal_scores_are_split_by_the_first_criterion() -> None:
    ranked = rank(
        [
            standing(
                "app-a", first_criterion=6.0, missing_sheets=2, submitted_at=T0 + timedelta(1)
            ),
            standing("app-b", first_criterion=8.5),
        ]
    )
    assert ids(ranked) == ["app-b", "app-a"]
    assert ranks(ranked) == [1, 2]


def test_then_by_fewer_missing_sheets() -> None:
    ranked = rank(
        [
            standing("app-a", missing_sheets=1),
            standing("app-b", missing_sheets=0, submitted_at=T0 + timedelta(days=1)),
        ]
    )
    assert ids(ranked) == ["app-b", "app-a"]
    assert ranks(ranked) == [1, 2]


def test_then_by_earlier_submission() -> None:
    ranked = rank(
        [
            standing("app-a", submitted_at=T0 + timedelta(seconds=1)),
            standing("app-b", submitted_at=T0),
        ]
    )
    assert ids(ranked) == ["app-b", "app-a"]
    assert ranks(ranked) == [1, 2]


def test_applications_equal_on_all_four_share_a_rank_listed_by_id() -> None:
    ranked = rank(
        [
            standing("app-c", score=60.0),
            standing("app-b", score=70.0),
            standing("app-a", score=70.0),
            standing("app-d", score=50.0),
        ]
    )
    assert ids(ranked) == ["app-a", "app-b", "app-c", "app-d"]
    assert ranks(ranked) == [1, 1, 3, 4]


def test_the_number_of_sheets_alone_does_not_break_a_tie() -> None:
    ranked = rank([standing("app-b", sheets=5), standing("app-a", sheets=2)])
    assert ranks(ranked) == [1, 1]
    assert ids(ranked) == ["app-a", "app-b"]


def test_scores_equal_up_to_float_rounding_are_equal() -> None:
    ranked = rank(
        [
            standing("app-b", score=0.1 + 0.2, first_criterion=0.7 + 0.1),
            standing("app-a", score=0.3, first_criterion=0.8),
        ]
    )
    assert ranks(ranked) == [1, 1]
    assert ids(ranked) == ["app-a", "app-b"]


def test_the_same_instant_in_another_offset_is_the_same_submission() -> None:
    from datetime import timezone

    almaty = timezone(timedelta(hours=5))
    ranked = rank(
        [
            standing("app-b", submitted_at=T0),
            standing("app-a", submitted_at=T0.astimezone(almaty)),
        ]
    )
    assert ranks(ranked) == [1, 1]


def test_nothing_to_rank() -> None:
    assert rank([]) == []


# -- properties ---------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(standings())
def test_the_ranking_is_a_permutation_of_its_input(given_standings: list[Standing]) -> None:
    ranked = rank(given_standings)
    assert sorted(ids(ranked)) == sorted(s.application_id for s in given_standings)
    assert sorted((e.standing for e in ranked), key=lambda s: s.application_id) == sorted(
        given_standings, key=lambda s: s.application_id
    )


@settings(max_examples=100, deadline=None)
@given(standings())
def test_ranks_are_competition_ranks(given_standings: list[Standing]) -> None:
    ranked = rank(given_standings)
    if ranked:
        assert ranked[0].rank == 1
    assert ranks(ranked) == sorted(ranks(ranked))
    for entry in ranked:
        better = [s for s in given_standings if merit(s) < merit(entry.standing)]
        assert entry.rank == 1 + len(better)
    for before, after in pairwise(ranked):
        assert merit(before.standing) <= merit(after.standing)


@settings(max_examples=100, deadline=None)
@given(standings())
def test_entries_sharing_a_rank_are_equal_and_listed_by_id(
    given_standings: list[Standing],
) -> None:
    ranked = rank(given_standings)
    for before, after in pairwise(ranked):
        if before.rank == after.rank:
            assert merit(before.standing) == merit(after.standing)
            assert before.standing.application_id < after.standing.application_id
        else:
            assert merit(before.standing) < merit(after.standing)


@settings(max_examples=100, deadline=None)
@given(standings(), st.randoms(use_true_random=False))
def test_the_ranking_does_not_depend_on_input_order(
    given_standings: list[Standing], rng: Random
) -> None:
    ranked = rank(given_standings)
    shuffled = list(given_standings)
    rng.shuffle(shuffled)
    assert rank(shuffled) == ranked
    assert rank(reversed(given_standings)) == ranked
    assert rank(iter(given_standings)) == ranked


# -- top() --------------------------------------------------------------------------------


def test_top_takes_the_quota_without_ties() -> None:
    ranked = rank([standing(f"app-{i}", score=float(i)) for i in range(5)])
    assert ids(top(ranked, 2)) == ["app-4", "app-3"]


def test_top_takes_everyone_tied_on_the_last_place() -> None:
    ranked = rank(
        [
            standing("app-a", score=90.0),
            standing("app-b", score=80.0),
            standing("app-c", score=80.0),
            standing("app-d", score=80.0),
            standing("app-e", score=70.0),
        ]
    )
    assert ranks(ranked) == [1, 2, 2, 2, 5]
    assert ids(top(ranked, 2)) == ["app-a", "app-b", "app-c", "app-d"]
    assert ids(top(ranked, 3)) == ["app-a", "app-b", "app-c", "app-d"]
    assert ids(top(ranked, 1)) == ["app-a"]
    assert ids(top(ranked, 5)) == ["app-a", "app-b", "app-c", "app-d", "app-e"]


def test_top_with_a_quota_beyond_the_ranking_takes_everyone_and_zero_takes_nobody() -> None:
    ranked = rank([standing("app-a"), standing("app-b", score=1.0)])
    assert top(ranked, 10) == ranked
    assert top(ranked, 0) == []


@settings(max_examples=100, deadline=None)
@given(standings(), st.integers(min_value=0, max_value=14))
def test_top_is_a_prefix_with_the_quota_and_every_tie_on_its_boundary(
    given_standings: list[Standing], quota: int
) -> None:
    ranked = rank(given_standings)
    chosen = top(ranked, quota)
    assert chosen == ranked[: len(chosen)]
    assert len(chosen) >= min(quota, len(ranked))
    assert all(entry.rank <= quota for entry in chosen)
    if chosen:
        boundary = chosen[-1].rank
        tied = [e for e in ranked if e.rank == boundary]
        assert all(e in chosen for e in tied)
    assert all(entry.rank > quota for entry in ranked[len(chosen) :])
