"""What the public sees of a tally: ranks with ties, and the visibility rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from contest_contracts.common import StageKind
from contest_contracts.events.contest import StageSchedule, TallyVisibility
from contest_contracts.samples import DEFINITION
from contest_voting.domain.tallies import public_entries, public_participation, ranked
from contest_voting.domain.window import VoteStatus, vote_status


def test_equal_votes_share_a_rank_and_the_next_rank_skips() -> None:
    counts = {"a": 5, "b": 7, "c": 5, "d": 1}
    assert ranked(counts, ["a", "b", "c", "d", "e"]) == [
        (1, "b", 7),
        (2, "a", 5),
        (2, "c", 5),
        (4, "d", 1),
        (5, "e", 0),
    ]


@given(st.dictionaries(st.sampled_from("abcdefg"), st.integers(min_value=0, max_value=50)))
def test_the_ranking_is_every_choice_once_most_votes_first(counts: dict[str, int]) -> None:
    choices = sorted(counts)
    lines = ranked(counts, choices)
    assert sorted(a for _, a, _ in lines) == choices
    assert [v for _, _, v in lines] == sorted(counts.values(), reverse=True)
    assert all(r == 1 + sum(v > votes for v in counts.values()) for r, _, votes in lines)


def test_each_visibility_shows_what_it_promises_and_certification_shows_all() -> None:
    counts, choices = {"a": 3, "b": 9}, ["a", "b"]
    live = public_entries(counts, choices, TallyVisibility.LIVE, certified=False)
    assert [(e.application_id, e.rank, e.votes) for e in live] == [("b", 1, 9), ("a", 2, 3)]
    ranks = public_entries(counts, choices, TallyVisibility.RANKS_ONLY, certified=False)
    assert [(e.application_id, e.rank, e.votes) for e in ranks] == [("b", 1, None), ("a", 2, None)]
    hidden = public_entries(counts, choices, TallyVisibility.HIDDEN, certified=False)
    assert [(e.application_id, e.rank, e.votes) for e in hidden] == [
        ("a", None, None),
        ("b", None, None),
    ]
    certified = public_entries(counts, choices, TallyVisibility.HIDDEN, certified=True)
    assert [e.votes for e in certified] == [9, 3]


Counts = st.dictionaries(st.sampled_from("abcd"), st.integers(min_value=0, max_value=30))


def _shown(counts: dict[str, int], visibility: TallyVisibility) -> tuple[object, ...]:
    entries = public_entries(counts, list("abcd"), visibility, certified=False)
    participation = public_participation(counts, visibility, certified=False)
    return participation, [(e.application_id, e.rank, e.votes) for e in entries]


@given(Counts, Counts)
def test_a_hidden_view_is_the_same_whatever_the_counts(
    one: dict[str, int], other: dict[str, int]
) -> None:
    assert _shown(one, TallyVisibility.HIDDEN) == _shown(other, TallyVisibility.HIDDEN)


@given(Counts, Counts)
def test_a_ranks_only_view_follows_the_order_of_the_counts_alone(
    one: dict[str, int], other: dict[str, int]
) -> None:
    def order(counts: dict[str, int]) -> list[list[bool]]:
        return [[counts.get(x, 0) > counts.get(y, 0) for y in "abcd"] for x in "abcd"]

    if order(one) == order(other):
        assert _shown(one, TallyVisibility.RANKS_ONLY) == _shown(other, TallyVisibility.RANKS_ONLY)


def test_participation_is_shown_where_counts_are() -> None:
    counts = {"a": 3, "b": 9}
    assert public_participation(counts, TallyVisibility.LIVE, certified=False) == 12
    assert public_participation(counts, TallyVisibility.RANKS_ONLY, certified=False) == 0
    assert public_participation(counts, TallyVisibility.HIDDEN, certified=False) == 0
    assert public_participation(counts, TallyVisibility.HIDDEN, certified=True) == 12


def test_the_vote_is_open_within_its_schedule_once_there_are_choices() -> None:
    opens = datetime(2025, 10, 1, tzinfo=UTC)
    definition = DEFINITION.model_copy(
        update={
            "stages": [
                StageSchedule(
                    stage=StageKind.PUBLIC_VOTE, opens_at=opens, closes_at=opens + timedelta(days=7)
                )
            ]
        }
    )
    during = opens + timedelta(days=1)
    assert vote_status(definition, has_choices=True, closed_at=None, now=during) == VoteStatus.OPEN
    assert (
        vote_status(definition, has_choices=False, closed_at=None, now=during)
        == VoteStatus.NOT_OPEN
    )
    before = opens - timedelta(seconds=1)
    assert (
        vote_status(definition, has_choices=True, closed_at=None, now=before) == VoteStatus.NOT_OPEN
    )
    after = opens + timedelta(days=7)
    assert vote_status(definition, has_choices=True, closed_at=None, now=after) == VoteStatus.CLOSED
    assert (
        vote_status(definition, has_choices=True, closed_at=during, now=during) == VoteStatus.CLOSED
    )
    unscheduled = DEFINITION
    assert (
        vote_status(unscheduled, has_choices=True, closed_at=None, now=during)
        == VoteStatus.NOT_OPEN
    )
