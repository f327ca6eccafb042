"""A stage's judgement: the seeds' edition yields one finalist per region and nomination that
has applications; normalised values are explained by their parts; sheets of jurors no
longer assigned do not count; applications short of jurors are reported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from random import Random
from statistics import fmean

import pytest

from contest_contracts.common import LocalizedText
from contest_contracts.events.contest import Criterion, PlacePrize, TieBreak
from contest_judging.domain.awards import places
from contest_judging.domain.judgement import Entrant, Judgement, judge
from contest_judging.domain.ranking import top
from contest_judging.domain.scoring import Sheet

T0 = datetime(2025, 9, 1, 9, tzinfo=UTC)
RUBRIC = [
    Criterion(code=code, title=LocalizedText(ru=code), weight=weight, max_score=10)
    for code, weight in (("significance", 2.0), ("innovation", 1.0), ("reach", 1.0))
]
REGIONS = [f"KZ-{n}" for n in range(20)]
NOMINATIONS = [f"nomination-{n}" for n in range(7)]


def _seeds_edition(rng: Random) -> list[Entrant]:
    """1,041 applications in 20 regions and 7 nominations, as in the 2025 edition. The last
    nomination (made up for the demo) had no applications in 11 regions."""
    groups = [
        (region, nomination)
        for region in REGIONS
        for nomination in NOMINATIONS
        if not (nomination == NOMINATIONS[-1] and region in REGIONS[:11])
    ]
    assert len(groups) == 129
    sizes = [1] * len(groups)
    for _ in range(1041 - len(groups)):
        sizes[rng.randrange(len(groups))] += 1
    entrants = []
    for (region, nomination), size in zip(groups, sizes, strict=True):
        for _ in range(size):
            n = len(entrants)
            entrants.append(Entrant(f"app-{n:04d}", nomination, region, T0 + timedelta(seconds=n)))
    return entrants


def _sheets(entrants: list[Entrant], jurors: int, rng: Random) -> tuple[list, list[Sheet]]:
    pairs, sheets = [], []
    for entrant in entrants:
        for j in range(jurors):
            juror = f"{entrant.region_code}/juror-{j}"
            pairs.append((entrant.application_id, juror))
            sheets.append(
                Sheet(
                    sheet_id=f"{entrant.application_id}/{juror}",
                    juror_id=juror,
                    application_id=entrant.application_id,
                    scores={c.code: rng.randint(0, 10) for c in RUBRIC},
                    submitted_at=entrant.submitted_at,
                )
            )
    return pairs, sheets


def _judge_regions(
    entrants: list[Entrant], pairs: list, sheets: list[Sheet], *, normalise: bool
) -> Judgement:
    return judge(
        entrants,
        pairs,
        sheets,
        {n: RUBRIC for n in NOMINATIONS},
        jurors_per_application=3,
        normalise=normalise,
        by_region=True,
    )


@pytest.mark.parametrize("normalise", [False, True])
def test_the_seeds_edition_yields_129_finalists_at_a_quota_of_one(normalise: bool) -> None:
    rng = Random(2025)
    entrants = _seeds_edition(rng)
    pairs, sheets = _sheets(entrants, 3, rng)
    judgement = _judge_regions(entrants, pairs, sheets, normalise=normalise)
    finalists = [entry for ranked in judgement.rankings.values() for entry in top(ranked, 1)]
    assert len(judgement.rankings) == 129
    assert len(finalists) == 129
    assert judgement.missing_sheets == 0
    assert sum(len(ranked) for ranked in judgement.rankings.values()) == 1041


def test_a_normalised_value_is_the_stage_mean_plus_the_stage_deviation_times_z() -> None:
    """... clamped to the rubric's scale; the mean and deviation are the nomination's."""
    rng = Random(7)
    entrants = _seeds_edition(rng)[:60]
    pairs, sheets = _sheets(entrants, 3, rng)
    judgement = _judge_regions(entrants, pairs, sheets, normalise=True)
    nomination_of = {e.application_id: e.nomination_code for e in entrants}
    totals: dict[str, list[float]] = {}
    for value in judgement.values:
        totals.setdefault(nomination_of[value.application_id], []).append(value.total)
    for value in judgement.values:
        assert value.highest_total == 40.0
        unclamped = value.stage_mean + value.stage_deviation * value.z
        assert value.counted == pytest.approx(min(max(unclamped, 0.0), 40.0))
        assert value.stage_mean == pytest.approx(fmean(totals[nomination_of[value.application_id]]))
    for application_id, standing in judgement.standings.items():
        own = [v.counted for v in judgement.values if v.application_id == application_id]
        assert standing.score == pytest.approx(fmean(own))


def test_only_sheets_of_assignments_in_force_count_and_missing_jurors_are_reported() -> None:
    entrant = Entrant("app-1", NOMINATIONS[0], REGIONS[0], T0)
    scores = {"significance": 10, "innovation": 10, "reach": 10}
    sheets = [
        Sheet("s-1", "juror-a", "app-1", scores, T0),
        Sheet("s-2", "juror-gone", "app-1", {c: 0 for c in scores}, T0),
    ]
    judgement = judge(
        [entrant],
        [("app-1", "juror-a"), ("app-1", "juror-b")],
        sheets,
        {NOMINATIONS[0]: RUBRIC},
        jurors_per_application=3,
        normalise=False,
        by_region=False,
    )
    assert judgement.standings["app-1"].score == 40.0
    assert judgement.missing == [("app-1", "juror-b")]
    assert judgement.short == {"app-1": 1}
    assert judgement.missing_sheets == 2
    assert list(judgement.rankings) == [(NOMINATIONS[0], None)]


def _equal_pair_and_one_less(tie_breaks: list[TieBreak] | None) -> Judgement:
    """Three applications, two jurors each: ``app-1`` and ``app-2`` get the same sheets
    (submitted a millisecond apart), ``app-3`` one point less on every criterion."""
    marks = {"app-1": 8, "app-2": 8, "app-3": 7}
    entrants = [
        Entrant(a, NOMINATIONS[0], REGIONS[0], T0 + timedelta(milliseconds=i))
        for i, a in enumerate(marks)
    ]
    pairs = [(a, j) for a in marks for j in ("juror-a", "juror-b")]
    sheets = [Sheet(f"{a}/{j}", j, a, {c.code: marks[a] for c in RUBRIC}, T0) for a, j in pairs]
    extra = {} if tie_breaks is None else {"tie_breaks": tie_breaks}
    return judge(
        entrants,
        pairs,
        sheets,
        {NOMINATIONS[0]: RUBRIC},
        jurors_per_application=2,
        normalise=False,
        by_region=True,
        **extra,
    )


def test_equal_applications_share_the_last_finalist_place_and_a_prize_place() -> None:
    """By default (the criteria, then sharing) two equal applications both rank 1st: a quota
    of one finalist takes both, and 1st place x1 goes to both before 2nd place."""
    judgement = _equal_pair_and_one_less(None)
    (ranked,) = judgement.rankings.values()
    assert [(e.rank, e.standing.application_id) for e in ranked] == [
        (1, "app-1"),
        (1, "app-2"),
        (3, "app-3"),
    ]
    assert [e.standing.application_id for e in top(ranked, 1)] == ["app-1", "app-2"]
    prizes = [
        PlacePrize(place=1, winners=1, grant_tenge=3_000_000),
        PlacePrize(place=2, winners=2, grant_tenge=1_000_000),
    ]
    won = [(p.place, p.entry.standing.application_id) for p in places(ranked, prizes)]
    assert won == [(1, "app-1"), (1, "app-2"), (2, "app-3")]


def test_two_second_places_when_two_equal_applications_follow_the_first() -> None:
    marks = {"app-0": 9, "app-1": 8, "app-2": 8, "app-3": 7}
    entrants = [
        Entrant(a, NOMINATIONS[0], REGIONS[0], T0 + timedelta(seconds=i))
        for i, a in enumerate(marks)
    ]
    sheets = [Sheet(a, "juror-a", a, {c.code: m for c in RUBRIC}, T0) for a, m in marks.items()]
    judgement = judge(
        entrants,
        [(a, "juror-a") for a in marks],
        sheets,
        {NOMINATIONS[0]: RUBRIC},
        jurors_per_application=1,
        normalise=False,
        by_region=False,
    )
    (ranked,) = judgement.rankings.values()
    prizes = [
        PlacePrize(place=1, winners=1, grant_tenge=3),
        PlacePrize(place=2, winners=1, grant_tenge=2),
        PlacePrize(place=3, winners=1, grant_tenge=1),
    ]
    won = [(p.place, p.entry.standing.application_id) for p in places(ranked, prizes)]
    assert won == [(1, "app-0"), (2, "app-1"), (2, "app-2"), (3, "app-3")]


def test_a_contest_that_asks_for_it_splits_the_tie_by_submission_time() -> None:
    judgement = _equal_pair_and_one_less([TieBreak.CRITERIA, TieBreak.EARLIER_SUBMISSION])
    (ranked,) = judgement.rankings.values()
    assert [(e.rank, e.standing.application_id) for e in ranked] == [
        (1, "app-1"),
        (2, "app-2"),
        (3, "app-3"),
    ]
    assert [e.standing.application_id for e in top(ranked, 1)] == ["app-1"]
