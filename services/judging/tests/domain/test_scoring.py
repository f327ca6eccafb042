"""Score sheets: which sheets are valid, their weighted totals, per-juror normalisation (a strict
and a lenient juror weigh the same), application scores as means, and missing sheets."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from statistics import fmean

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contest_contracts.common import LocalizedText
from contest_contracts.events.contest import Criterion
from contest_judging.domain.scoring import (
    Sheet,
    SheetValue,
    application_scores,
    sheet_problems,
    sheet_values,
    sheets_missing,
    weighted_total,
)

T0 = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)

EXACT_WEIGHTS = [0.25, 0.5, 1.0, 1.5, 2.0, 3.0]
"""Weights a float holds exactly, so that equal totals are equal floats in the properties."""


def criterion(code: str, weight: float = 1.0, max_score: int = 10) -> Criterion:
    return Criterion(code=code, title=LocalizedText(ru=code), weight=weight, max_score=max_score)


RUBRIC = [
    criterion("significance", weight=2.0, max_score=10),
    criterion("innovation", weight=1.0, max_score=5),
    criterion("reach", weight=0.5, max_score=20),
]


def sheet(juror_id: str, application_id: str, scores: Mapping[str, int], minutes: int = 0) -> Sheet:
    return Sheet(
        sheet_id=f"{juror_id}/{application_id}",
        juror_id=juror_id,
        application_id=application_id,
        scores=dict(scores),
        submitted_at=T0 + timedelta(minutes=minutes),
    )


def one_criterion_sheet(juror_id: str, application_id: str, score: int) -> Sheet:
    return sheet(juror_id, application_id, {"only": score})


ONLY = [criterion("only", weight=1.0, max_score=100)]


@st.composite
def rubrics(draw: st.DrawFn, weights: Sequence[float] = EXACT_WEIGHTS) -> list[Criterion]:
    codes = draw(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=4, unique=True))
    return [
        criterion(
            code,
            weight=draw(st.sampled_from(weights)),
            max_score=draw(st.integers(min_value=1, max_value=100)),
        )
        for code in codes
    ]


def valid_scores(rubric: Sequence[Criterion]) -> st.SearchStrategy[dict[str, int]]:
    return st.fixed_dictionaries(
        {c.code: st.integers(min_value=0, max_value=c.max_score) for c in rubric}
    )


# -- sheet_problems() ---------------------------------------------------------------------


def test_a_complete_sheet_within_range_has_no_problems() -> None:
    assert sheet_problems({"significance": 10, "innovation": 0, "reach": 7}, RUBRIC) == []


def test_a_missing_criterion_is_reported() -> None:
    assert sheet_problems({"significance": 10, "innovation": 3}, RUBRIC) == ["reach: missing"]


def test_an_unknown_criterion_is_reported() -> None:
    problems = sheet_problems({"significance": 1, "innovation": 1, "reach": 1, "style": 4}, RUBRIC)
    assert problems == ["style: not a criterion of this nomination"]


def test_scores_outside_zero_to_the_maximum_are_reported() -> None:
    problems = sheet_problems({"significance": 11, "innovation": -1, "reach": 20}, RUBRIC)
    assert problems == ["innovation: -1 is outside 0..5", "significance: 11 is outside 0..10"]


def test_every_kind_of_problem_is_reported_at_once() -> None:
    problems = sheet_problems({"significance": 99, "style": 1}, RUBRIC)
    assert problems == [
        "innovation: missing",
        "reach: missing",
        "significance: 99 is outside 0..10",
        "style: not a criterion of this nomination",
    ]


@settings(max_examples=100, deadline=None)
@given(rubrics(), st.data())
def test_a_valid_sheet_has_no_problems(rubric: list[Criterion], data: st.DataObject) -> None:
    assert sheet_problems(data.draw(valid_scores(rubric)), rubric) == []


@settings(max_examples=100, deadline=None)
@given(
    rubrics(),
    st.dictionaries(
        st.sampled_from("abcdefghxyz"), st.integers(min_value=-5, max_value=120), max_size=8
    ),
)
def test_problems_name_exactly_the_missing_unknown_and_out_of_range_criteria(
    rubric: list[Criterion], scores: dict[str, int]
) -> None:
    problems = sheet_problems(scores, rubric)
    maximum = {c.code: c.max_score for c in rubric}
    missing = {p.split(":")[0] for p in problems if p.endswith(": missing")}
    unknown = {
        p.split(":")[0] for p in problems if p.endswith("not a criterion of this nomination")
    }
    outside = {p.split(":")[0] for p in problems if " is outside 0.." in p}
    assert missing == maximum.keys() - scores.keys()
    assert unknown == scores.keys() - maximum.keys()
    assert outside == {
        code
        for code, score in scores.items()
        if code in maximum and not 0 <= score <= maximum[code]
    }
    assert len(problems) == len(missing) + len(unknown) + len(outside)
    assert problems == sorted(problems)
    assert (problems == []) == (
        scores.keys() == maximum.keys() and all(0 <= s <= maximum[c] for c, s in scores.items())
    )


# -- weighted_total() ---------------------------------------------------------------------


def test_the_weighted_total_is_the_sum_of_weight_times_score() -> None:
    assert weighted_total({"significance": 10, "innovation": 3, "reach": 7}, RUBRIC) == 26.5


@settings(max_examples=100, deadline=None)
@given(rubrics(weights=[0.1, 0.2, 0.3, 0.7, 1.0, 1.5, 2.5, 3.3]), st.data())
def test_the_weighted_total_equals_sum_of_weight_times_score(
    rubric: list[Criterion], data: st.DataObject
) -> None:
    scores = data.draw(valid_scores(rubric))
    expected = sum(c.weight * scores[c.code] for c in rubric)
    assert weighted_total(scores, rubric) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_criteria_outside_the_rubric_do_not_count() -> None:
    scores = {"significance": 1, "innovation": 1, "reach": 2, "style": 100}
    assert weighted_total(scores, RUBRIC) == 4.0


# -- sheet_values() and application_scores() ----------------------------------------------


def one_nomination(
    sheets: list[Sheet], rubric_of: Mapping[str, Sequence[Criterion]], normalise: bool
) -> list[SheetValue]:
    """The values of a stage whose applications all compete in one nomination."""
    return sheet_values(sheets, rubric_of, normalise, nomination_of=dict.fromkeys(rubric_of, "n"))


@st.composite
def stages(draw: st.DrawFn) -> tuple[list[Sheet], dict[str, list[Criterion]]]:
    """A stage: a few jurors scoring a few applications of one rubric."""
    rubric = draw(rubrics())
    applications = [f"app-{i}" for i in range(draw(st.integers(min_value=1, max_value=6)))]
    jurors = [f"juror-{i}" for i in range(draw(st.integers(min_value=1, max_value=4)))]
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(jurors), st.sampled_from(applications)),
            min_size=1,
            max_size=15,
            unique=True,
        )
    )
    sheets = [sheet(j, a, draw(valid_scores(rubric))) for j, a in pairs]
    return sheets, {a: rubric for a in applications}


@settings(max_examples=100, deadline=None)
@given(stages())
def test_without_normalisation_a_sheet_counts_its_total(
    stage: tuple[list[Sheet], dict[str, list[Criterion]]],
) -> None:
    sheets, rubric_of = stage
    values = one_nomination(sheets, rubric_of, normalise=False)
    assert [v.sheet_id for v in values] == [s.sheet_id for s in sheets]
    for value, scored in zip(values, sheets, strict=True):
        assert value.total == weighted_total(scored.scores, rubric_of[scored.application_id])
        assert value.counted == value.total


@settings(max_examples=100, deadline=None)
@given(stages(), st.booleans())
def test_an_application_score_is_the_mean_of_its_counted_values(
    stage: tuple[list[Sheet], dict[str, list[Criterion]]], normalise: bool
) -> None:
    sheets, rubric_of = stage
    values = one_nomination(sheets, rubric_of, normalise=normalise)
    scores = application_scores(values)
    assert scores.keys() == {s.application_id for s in sheets}
    for application_id, score in scores.items():
        own = [v.counted for v in values if v.application_id == application_id]
        assert score == pytest.approx(sum(own) / len(own), rel=1e-12, abs=1e-9)


def test_application_scores_without_normalisation_are_plain_means() -> None:
    sheets = [
        one_criterion_sheet("juror-a", "app-1", 80),
        one_criterion_sheet("juror-b", "app-1", 60),
        one_criterion_sheet("juror-c", "app-1", 70),
        one_criterion_sheet("juror-a", "app-2", 50),
    ]
    values = one_nomination(sheets, {"app-1": ONLY, "app-2": ONLY}, normalise=False)
    assert application_scores(values) == {"app-1": 70.0, "app-2": 50.0}


def test_no_sheets_give_no_scores() -> None:
    assert one_nomination([], {}, normalise=True) == []
    assert application_scores([]) == {}


def test_a_juror_with_one_sheet_has_z_zero() -> None:
    sheets = [
        one_criterion_sheet("juror-a", "app-1", 90),
        one_criterion_sheet("juror-b", "app-1", 40),
        one_criterion_sheet("juror-b", "app-2", 60),
    ]
    values = {v.sheet_id: v for v in one_nomination(sheets, {"app-1": ONLY, "app-2": ONLY}, True)}
    alone = values["juror-a/app-1"]
    assert alone.z == 0.0
    assert alone.juror_deviation == 0.0
    stage_mean = fmean([90, 40, 60])
    assert alone.counted == pytest.approx(stage_mean)


def test_a_juror_who_gives_every_sheet_the_same_total_has_z_zero() -> None:
    sheets = [
        one_criterion_sheet("juror-a", "app-1", 70),
        one_criterion_sheet("juror-a", "app-2", 70),
        one_criterion_sheet("juror-a", "app-3", 70),
        one_criterion_sheet("juror-b", "app-1", 10),
        one_criterion_sheet("juror-b", "app-2", 90),
    ]
    rubric_of = {a: ONLY for a in ("app-1", "app-2", "app-3")}
    for value in one_nomination(sheets, rubric_of, normalise=True):
        if value.juror_id == "juror-a":
            assert value.z == 0.0
            assert value.counted == pytest.approx(fmean([70, 70, 70, 10, 90]))


def test_equal_totals_from_different_scores_give_z_zero() -> None:
    """0.1 x 3 and 0.3 x 1 are the same total, so the juror gave every sheet the same total."""
    rubric = [criterion("a", weight=0.1), criterion("b", weight=0.3)]
    sheets = [
        sheet("juror-a", "app-1", {"a": 3, "b": 0}),
        sheet("juror-a", "app-2", {"a": 0, "b": 1}),
        sheet("juror-b", "app-1", {"a": 10, "b": 10}),
        sheet("juror-b", "app-2", {"a": 0, "b": 0}),
    ]
    values = one_nomination(sheets, {"app-1": rubric, "app-2": rubric}, normalise=True)
    strict = [v for v in values if v.juror_id == "juror-a"]
    assert [v.total for v in strict] == pytest.approx([0.3, 0.3])
    assert [v.z for v in strict] == [0.0, 0.0]
    assert strict[0].counted == pytest.approx(strict[1].counted)


def test_normalisation_shows_every_step() -> None:
    sheets = [
        one_criterion_sheet("juror-a", "app-1", 40),
        one_criterion_sheet("juror-a", "app-2", 60),
        one_criterion_sheet("juror-b", "app-1", 80),
        one_criterion_sheet("juror-b", "app-2", 100),
    ]
    values = one_nomination(sheets, {"app-1": ONLY, "app-2": ONLY}, normalise=True)
    stage_mean = 70.0
    stage_deviation = math.sqrt(((30**2) + (10**2) + (10**2) + (30**2)) / 4)
    first = values[0]
    assert (first.total, first.juror_mean, first.juror_deviation, first.z) == (40, 50, 10, -1)
    assert first.counted == pytest.approx(stage_mean - stage_deviation)
    scores = application_scores(values)
    assert scores["app-1"] == pytest.approx(stage_mean - stage_deviation)
    assert scores["app-2"] == pytest.approx(stage_mean + stage_deviation)


@st.composite
def strict_and_lenient(draw: st.DrawFn) -> tuple[list[Criterion], list[Sheet]]:
    """A rubric, a strict juror's sheets, and a lenient juror's sheets that score other
    applications exactly like the strict ones, only higher: strict + a constant on every
    criterion, or strict x 2. Strict application ``s-i`` pairs with lenient ``l-i``."""
    rubric = draw(rubrics())
    lowest_maximum = min(c.max_score for c in rubric)
    if draw(st.booleans()):
        plus = draw(st.integers(min_value=0, max_value=lowest_maximum))
        upper = {c.code: c.max_score - plus for c in rubric}

        def inflate(score: int) -> int:
            return score + plus
    else:
        upper = {c.code: c.max_score // 2 for c in rubric}

        def inflate(score: int) -> int:
            return 2 * score

    strict = draw(
        st.lists(
            st.fixed_dictionaries(
                {code: st.integers(min_value=0, max_value=top) for code, top in upper.items()}
            ),
            min_size=1,
            max_size=6,
        )
    )
    sheets = [sheet("strict", f"s-{i}", scores) for i, scores in enumerate(strict)]
    sheets += [
        sheet("lenient", f"l-{i}", {code: inflate(score) for code, score in scores.items()})
        for i, scores in enumerate(strict)
    ]
    return rubric, sheets


@settings(max_examples=100, deadline=None)
@given(strict_and_lenient())
def test_normalised_a_strict_and_a_lenient_juror_weigh_the_same(
    case: tuple[list[Criterion], list[Sheet]],
) -> None:
    """Applications the two jurors rank the same way end up with equal scores."""
    rubric, sheets = case
    for s in sheets:
        assert sheet_problems(s.scores, rubric) == []
    rubric_of = {s.application_id: rubric for s in sheets}

    scores = application_scores(one_nomination(sheets, rubric_of, normalise=True))
    for i in range(len(sheets) // 2):
        assert scores[f"s-{i}"] == pytest.approx(scores[f"l-{i}"], rel=1e-9, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(stages())
def test_normalised_values_keep_the_stage_mean_and_each_jurors_order(
    stage: tuple[list[Sheet], dict[str, list[Criterion]]],
) -> None:
    sheets, rubric_of = stage
    values = one_nomination(sheets, rubric_of, normalise=True)
    totals = [v.total for v in values]
    unclamped = [v.stage_mean + v.stage_deviation * v.z for v in values]
    # every juror's z-scores sum to zero, so the stage mean is unchanged (unless a value had
    # to be brought back within 0..the highest total)
    if all(0 <= u <= v.highest_total for u, v in zip(unclamped, values, strict=True)):
        assert fmean(v.counted for v in values) == pytest.approx(fmean(totals), abs=1e-6)
    for a in values:
        for b in values:
            if a.juror_id == b.juror_id and a.total < b.total:
                assert a.counted <= b.counted


def test_normalisation_puts_a_strict_jurors_best_level_with_a_lenient_jurors_best() -> None:
    """Each juror scores two applications; the strict juror's best gets the same score as the
    lenient juror's best, though its raw total is far lower."""
    sheets = [
        one_criterion_sheet("strict", "app-1", 20),
        one_criterion_sheet("strict", "app-2", 40),
        one_criterion_sheet("lenient", "app-3", 70),
        one_criterion_sheet("lenient", "app-4", 90),
    ]
    rubric_of = {a: ONLY for a in ("app-1", "app-2", "app-3", "app-4")}
    raw = application_scores(one_nomination(sheets, rubric_of, normalise=False))
    assert raw["app-2"] < raw["app-4"]
    scores = application_scores(one_nomination(sheets, rubric_of, normalise=True))
    assert scores["app-2"] == pytest.approx(scores["app-4"])
    assert scores["app-1"] == pytest.approx(scores["app-3"])
    assert scores["app-1"] < scores["app-2"]


# -- normalisation within a nomination ---------------------------------------------------

SMALL = [criterion("only", weight=1.0, max_score=9)]
"""A nomination whose highest total is 9."""
LARGE = [criterion("only", weight=1.0, max_score=100)]
"""A nomination whose highest total is 100."""


def test_a_nomination_is_normalised_on_its_own_mean_and_deviation() -> None:
    """The acceptance run's case: a small-scale nomination next to a large-scale one. Each
    nomination's values come from its own sheets only, and stay within its scale."""
    sheets = [
        one_criterion_sheet("juror-a", "small-1", 3),
        one_criterion_sheet("juror-a", "small-2", 9),
        one_criterion_sheet("juror-b", "small-1", 4),
        one_criterion_sheet("juror-b", "small-2", 8),
        one_criterion_sheet("juror-a", "large-1", 10),
        one_criterion_sheet("juror-a", "large-2", 100),
    ]
    rubric_of = {"small-1": SMALL, "small-2": SMALL, "large-1": LARGE, "large-2": LARGE}
    nomination_of = {a: a.split("-")[0] for a in rubric_of}
    values = sheet_values(sheets, rubric_of, True, nomination_of=nomination_of)
    small = [v for v in values if v.application_id.startswith("small")]
    # the small nomination's own totals: 3, 9, 4, 8 (mean 6, population deviation 2.55)
    deviation = math.sqrt((9 + 9 + 4 + 4) / 4)
    for value in small:
        assert value.stage_mean == 6.0
        assert value.stage_deviation == pytest.approx(deviation)
        assert value.highest_total == 9.0
        # each juror's z among their own two sheets of the nomination: -1 and +1
        assert abs(value.z) == pytest.approx(1.0)
        assert 0 <= value.counted <= 9
    scores = application_scores(values)
    assert scores["small-1"] == pytest.approx(6.0 - deviation)
    assert scores["small-2"] == pytest.approx(6.0 + deviation)
    assert [v.counted for v in values if v.application_id == "large-2"] == [pytest.approx(100)]


def test_a_normalised_value_beyond_the_scale_is_brought_back_to_it() -> None:
    """A juror with a narrow spread (z up to 1.73) in a nomination with a wide one: mean +
    deviation x z would be 12.6 of at most 10, and -2.6 below 0."""
    rubric = [criterion("only", weight=1.0, max_score=10)]
    sheets = [one_criterion_sheet("narrow", f"high-{i}", t) for i, t in enumerate([10, 9, 9, 9])]
    sheets += [one_criterion_sheet("flat", f"high-{i}", 0) for i in range(4)]
    sheets += [one_criterion_sheet("narrow-low", f"low-{i}", t) for i, t in enumerate([0, 1, 1, 1])]
    sheets += [one_criterion_sheet("flat-high", f"low-{i}", 10) for i in range(4)]
    rubric_of = {s.application_id: rubric for s in sheets}
    nomination_of = {a: a.split("-")[0] for a in rubric_of}
    values = {
        v.sheet_id: v for v in sheet_values(sheets, rubric_of, True, nomination_of=nomination_of)
    }
    top_sheet = values["narrow/high-0"]
    assert top_sheet.stage_mean + top_sheet.stage_deviation * top_sheet.z > 10
    assert top_sheet.counted == 10.0
    bottom_sheet = values["narrow-low/low-0"]
    assert bottom_sheet.stage_mean + bottom_sheet.stage_deviation * bottom_sheet.z < 0
    assert bottom_sheet.counted == 0.0


@st.composite
def two_nomination_stages(
    draw: st.DrawFn,
) -> tuple[list[Sheet], dict[str, list[Criterion]], dict[str, str]]:
    """A stage of two nominations with rubrics of their own scales, scored by the same few
    jurors (each in both, as a commission does)."""
    rubric_of: dict[str, list[Criterion]] = {}
    nomination_of: dict[str, str] = {}
    sheets: list[Sheet] = []
    jurors = [f"juror-{i}" for i in range(draw(st.integers(min_value=1, max_value=3)))]
    for nomination in ("first", "second"):
        rubric = draw(rubrics())
        applications = [
            f"{nomination}-{i}" for i in range(draw(st.integers(min_value=1, max_value=5)))
        ]
        for application_id in applications:
            rubric_of[application_id] = rubric
            nomination_of[application_id] = nomination
        pairs = draw(
            st.lists(
                st.tuples(st.sampled_from(jurors), st.sampled_from(applications)),
                min_size=1,
                max_size=10,
                unique=True,
            )
        )
        sheets += [sheet(j, a, draw(valid_scores(rubric))) for j, a in pairs]
    return sheets, rubric_of, nomination_of


def highest_total(rubric: Sequence[Criterion]) -> float:
    return sum(c.weight * c.max_score for c in rubric)


@settings(max_examples=200, deadline=None)
@given(two_nomination_stages(), st.booleans())
def test_a_published_score_never_leaves_zero_to_the_nominations_highest_total(
    stage: tuple[list[Sheet], dict[str, list[Criterion]], dict[str, str]], normalise: bool
) -> None:
    sheets, rubric_of, nomination_of = stage
    values = sheet_values(sheets, rubric_of, normalise, nomination_of=nomination_of)
    for value in values:
        highest = highest_total(rubric_of[value.application_id])
        assert value.highest_total == pytest.approx(highest)
        assert 0 <= value.counted <= value.highest_total
    for application_id, score in application_scores(values).items():
        assert 0 <= score <= highest_total(rubric_of[application_id]) + 1e-9


@settings(max_examples=200, deadline=None)
@given(two_nomination_stages(), st.data())
def test_a_jurors_sheets_in_one_nomination_never_move_their_values_in_another(
    stage: tuple[list[Sheet], dict[str, list[Criterion]], dict[str, str]],
    data: st.DataObject,
) -> None:
    """The first nomination's values are the same with or without the second's sheets,
    and whatever the second's sheets say."""
    sheets, rubric_of, nomination_of = stage
    first = [s for s in sheets if nomination_of[s.application_id] == "first"]
    rescored = [
        s
        if nomination_of[s.application_id] == "first"
        else sheet(
            s.juror_id, s.application_id, data.draw(valid_scores(rubric_of[s.application_id]))
        )
        for s in sheets
    ]

    def first_values(stage_sheets: list[Sheet]) -> list[SheetValue]:
        values = sheet_values(stage_sheets, rubric_of, True, nomination_of=nomination_of)
        return [v for v in values if nomination_of[v.application_id] == "first"]

    alone = first_values(first)
    assert first_values(sheets) == alone
    assert first_values(rescored) == alone


# -- sheets_missing() ---------------------------------------------------------------------


def test_assigned_pairs_without_a_sheet_are_missing() -> None:
    assigned = [("app-2", "juror-a"), ("app-1", "juror-b"), ("app-1", "juror-a")]
    submitted = [("app-1", "juror-a"), ("app-3", "juror-c")]
    assert sheets_missing(assigned, submitted) == [("app-1", "juror-b"), ("app-2", "juror-a")]


def test_nothing_is_missing_when_every_assigned_pair_is_scored() -> None:
    assigned = [("app-1", "juror-a"), ("app-1", "juror-b")]
    assert sheets_missing(assigned, list(reversed(assigned))) == []
    assert sheets_missing([], []) == []


@settings(max_examples=100, deadline=None)
@given(
    st.sets(st.tuples(st.sampled_from("abcde"), st.sampled_from("vwxyz")), max_size=15),
    st.sets(st.tuples(st.sampled_from("abcde"), st.sampled_from("vwxyz")), max_size=15),
)
def test_missing_sheets_are_the_assigned_pairs_not_submitted(
    assigned: set[tuple[str, str]], submitted: set[tuple[str, str]]
) -> None:
    missing = sheets_missing(assigned, submitted)
    assert missing == sorted(assigned - submitted)
