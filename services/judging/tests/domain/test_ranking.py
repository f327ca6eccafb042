"""Ranking: best first by score, then the contest's tie-breaks in its order (by default the
criteria in the rubric's order, then sharing; fewer missing sheets and earlier submission as
options); standard competition ranks (1, 1, 3) for applications equal on all of them, listed
by application id; and a quota of places that takes everyone tied on the last one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from random import Random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from contest_contracts.events.contest import TieBreak
from contest_judging.domain.ranking import Ranked, Standing, rank, saying, top

T0 = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)


def standing(
    application_id: str,
    score: float = 50.0,
    first_criterion: float = 5.0,
    missing_sheets: int = 0,
    submitted_at: datetime = T0,
    sheets: int = 3,
    second_criterion: float = 5.0,
) -> Standing:
    return Standing(
        application_id=application_id,
        score=score,
        criterion_means=(first_criterion, second_criterion),
        sheets=sheets,
        missing_sheets=missing_sheets,
        submitted_at=submitted_at,
    )


def ids(ranked: list[Ranked]) -> list[str]:
    return [entry.standing.application_id for entry in ranked]


def ranks(ranked: list[Ranked]) -> list[int]:
    return [entry.rank for entry in ranked]


EVERY_TIE_BREAK = [TieBreak.CRITERIA, TieBreak.FEWER_MISSING_SHEETS, TieBreak.EARLIER_SUBMISSION]
"""Every tie-break, in the order the ranking used before contests chose theirs."""


def merit(s: Standing, tie_breaks: list[TieBreak] = EVERY_TIE_BREAK) -> tuple[Any, ...]:
    """The docstring's order as a key, smaller is better (scores rounded to 9 decimals)."""
    key: list[Any] = [-round(s.score, 9)]
    for tie_break in tie_breaks:
        key.append(
            {
                TieBreak.CRITERIA: tuple(-round(m, 9) for m in s.criterion_means),
                TieBreak.FEWER_MISSING_SHEETS: s.missing_sheets,
                TieBreak.EARLIER_SUBMISSION: s.submitted_at,
            }[tie_break]
        )
    return tuple(key)


def tie_break_lists() -> st.SearchStrategy[list[TieBreak]]:
    """Any contest's tie-breaks: some of them, each once, in any order."""
    return st.permutations(list(TieBreak)).flatmap(
        lambda order: st.integers(min_value=0, max_value=len(order)).map(lambda n: order[:n])
    )


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
            second_criterion=draw(st.sampled_from([1.0, 2.0])),
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
    for tie_breaks in ([], [TieBreak.CRITERIA], EVERY_TIE_BREAK):
        ranked = rank([worse, better], tie_breaks)
        assert ids(ranked) == ["app-b", "app-a"]
        assert ranks(ranked) == [1, 2]


def test_equal_scores_are_split_by_the_first_criterion() -> None:
    ranked = rank(
        [
            standing(
                "app-a", first_criterion=6.0, missing_sheets=2, submitted_at=T0 + timedelta(1)
            ),
            standing("app-b", first_criterion=8.5, second_criterion=1.0),
        ]
    )
    assert ids(ranked) == ["app-b", "app-a"]
    assert ranks(ranked) == [1, 2]


def test_then_by_the_second_criterion_and_so_on_in_the_rubrics_order() -> None:
    ranked = rank(
        [
            standing("app-a", second_criterion=4.0, submitted_at=T0 - timedelta(1)),
            standing("app-b", second_criterion=6.0),
        ]
    )
    assert ids(ranked) == ["app-b", "app-a"]
    assert ranks(ranked) == [1, 2]


def test_by_default_equal_scores_and_criteria_share_a_rank_whatever_else_differs() -> None:
    """The tie-breaks the ranking used before contests chose theirs (fewer missing sheets,
    earlier submission to the millisecond) no longer split a tie unless a contest asks."""
    ranked = rank(
        [
            standing("app-c", score=40.0),
            standing("app-b", missing_sheets=1, submitted_at=T0 + timedelta(milliseconds=1)),
            standing("app-a", missing_sheets=0, submitted_at=T0 + timedelta(milliseconds=2)),
            standing("app-d", sheets=1, submitted_at=T0),
        ]
    )
    assert ids(ranked) == ["app-a", "app-b", "app-d", "app-c"]
    assert ranks(ranked) == [1, 1, 1, 4]


def test_without_tie_breaks_every_equal_score_shares_a_rank() -> None:
    ranked = rank([standing("app-b", first_criterion=9.0), standing("app-a")], [])
    assert ranks(ranked) == [1, 1]


def test_a_contests_order_of_tie_breaks_is_followed() -> None:
    earlier_but_less_certain = standing("app-a", first_criterion=9.0, missing_sheets=1)
    later = standing("app-b", missing_sheets=0, submitted_at=T0 + timedelta(seconds=1))
    assert ids(rank([later, earlier_but_less_certain], [TieBreak.FEWER_MISSING_SHEETS])) == [
        "app-b",
        "app-a",
    ]
    assert ids(rank([later, earlier_but_less_certain], [TieBreak.EARLIER_SUBMISSION])) == [
        "app-a",
        "app-b",
    ]
    assert ids(rank([later, earlier_but_less_certain], EVERY_TIE_BREAK)) == ["app-a", "app-b"]


def test_the_tie_breaks_in_words() -> None:
    assert saying([TieBreak.CRITERIA]) == (
        "higher score, then higher mean on each criterion in the rubric's order; "
        "applications equal on all of these share a rank (1, 1, 3), listed by id"
    )
    assert saying([]).startswith("higher score; ")


def test_then_by_fewer_missing_sheets() -> None:
    ranked = rank(
        [
            standing("app-a", missing_sheets=1),
            standing("app-b", missing_sheets=0, submitted_at=T0 + timedelta(days=1)),
        ],
        EVERY_TIE_BREAK,
    )
    assert ids(ranked) == ["app-b", "app-a"]
    assert ranks(ranked) == [1, 2]


def test_then_by_earlier_submission() -> None:
    ranked = rank(
        [
            standing("app-a", submitted_at=T0 + timedelta(seconds=1)),
            standing("app-b", submitted_at=T0),
        ],
        EVERY_TIE_BREAK,
    )
    assert ids(ranked) == ["app-b", "app-a"]
    assert ranks(ranked) == [1, 2]


def test_applications_equal_on_every_tie_break_share_a_rank_listed_by_id() -> None:
    ranked = rank(
        [
            standing("app-c", score=60.0),
            standing("app-b", score=70.0),
            standing("app-a", score=70.0),
            standing("app-d", score=50.0),
        ],
        EVERY_TIE_BREAK,
    )
    assert ids(ranked) == ["app-a", "app-b", "app-c", "app-d"]
    assert ranks(ranked) == [1, 1, 3, 4]


def test_the_number_of_sheets_alone_does_not_break_a_tie() -> None:
    ranked = rank([standing("app-b", sheets=5), standing("app-a", sheets=2)], EVERY_TIE_BREAK)
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
        ],
        EVERY_TIE_BREAK,
    )
    assert ranks(ranked) == [1, 1]


def test_nothing_to_rank() -> None:
    assert rank([]) == []


# -- properties ---------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(standings(), tie_break_lists())
def test_the_ranking_is_a_permutation_of_its_input(
    given_standings: list[Standing], tie_breaks: list[TieBreak]
) -> None:
    ranked = rank(given_standings, tie_breaks)
    assert sorted(ids(ranked)) == sorted(s.application_id for s in given_standings)
    assert sorted((e.standing for e in ranked), key=lambda s: s.application_id) == sorted(
        given_standings, key=lambda s: s.application_id
    )


@settings(max_examples=100, deadline=None)
@given(standings(), tie_break_lists())
def test_ranks_are_competition_ranks(
    given_standings: list[Standing], tie_breaks: list[TieBreak]
) -> None:
    ranked = rank(given_standings, tie_breaks)
    if ranked:
        assert ranked[0].rank == 1
    assert ranks(ranked) == sorted(ranks(ranked))
    for entry in ranked:
        better = [
            s for s in given_standings if merit(s, tie_breaks) < merit(entry.standing, tie_breaks)
        ]
        assert entry.rank == 1 + len(better)
    for before, after in pairwise(ranked):
        assert merit(before.standing, tie_breaks) <= merit(after.standing, tie_breaks)


@settings(max_examples=100, deadline=None)
@given(standings(), tie_break_lists())
def test_entries_sharing_a_rank_are_equal_and_listed_by_id(
    given_standings: list[Standing], tie_breaks: list[TieBreak]
) -> None:
    ranked = rank(given_standings, tie_breaks)
    for before, after in pairwise(ranked):
        if before.rank == after.rank:
            assert merit(before.standing, tie_breaks) == merit(after.standing, tie_breaks)
            assert before.standing.application_id < after.standing.application_id
        else:
            assert merit(before.standing, tie_breaks) < merit(after.standing, tie_breaks)


@settings(max_examples=100, deadline=None)
@given(standings(), tie_break_lists(), st.randoms(use_true_random=False))
def test_the_ranking_does_not_depend_on_input_order(
    given_standings: list[Standing], tie_breaks: list[TieBreak], rng: Random
) -> None:
    ranked = rank(given_standings, tie_breaks)
    shuffled = list(given_standings)
    rng.shuffle(shuffled)
    assert rank(shuffled, tie_breaks) == ranked
    assert rank(reversed(given_standings), tie_breaks) == ranked
    assert rank(iter(given_standings), tie_breaks) == ranked


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
