"""Assignment of jurors to applications: k distinct eligible jurors each, linked jurors never,
loads within one of each other when nothing is linked, and a result that depends only on who
the candidates and jurors are, not on the order they are given in."""

from __future__ import annotations

from collections import Counter
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from contest_judging.domain.assignment import Candidate, Juror, Plan, assign, linked

BINS = ["111111111111", "222222222222", "333333333333"]
"""A small pool of BINs, so that jurors and applicants often share one."""
IINS = ["900101300001", "900101300002"]
"""Applicant IINs (a person applying), which never equal a juror's organisation BIN."""


def _application_ids(n: int) -> list[str]:
    return [f"app-{i:02d}" for i in range(n)]


def _juror_ids(n: int) -> list[str]:
    return [f"juror-{i:02d}" for i in range(n)]


@st.composite
def candidates(draw: st.DrawFn, min_size: int = 0, max_size: int = 12) -> list[Candidate]:
    """Candidates with distinct ids, applicants drawn from a pool that shares the jurors' BINs."""
    n = draw(st.integers(min_value=min_size, max_value=max_size))
    return [
        Candidate(
            application_id=application_id,
            applicant_identifier=draw(st.sampled_from(BINS + IINS)),
            organisation_bin=draw(st.none() | st.sampled_from(BINS)),
        )
        for application_id in _application_ids(n)
    ]


@st.composite
def jurors(
    draw: st.DrawFn, application_ids: list[str], min_size: int = 0, max_size: int = 8
) -> list[Juror]:
    """Jurors with distinct ids, some of an organisation and some with declared conflicts."""
    n = draw(st.integers(min_value=min_size, max_value=max_size))
    conflicts = (
        st.frozensets(st.sampled_from(application_ids)) if application_ids else st.just(frozenset())
    )
    return [
        Juror(
            juror_id=juror_id,
            organisation_bin=draw(st.none() | st.sampled_from(BINS)),
            conflicts=draw(conflicts),
        )
        for juror_id in _juror_ids(n)
    ]


@st.composite
def commissions(draw: st.DrawFn) -> tuple[list[Candidate], list[Juror], int]:
    """Candidates, jurors (links allowed) and k."""
    cands = draw(candidates())
    pool = draw(jurors([c.application_id for c in cands]))
    k = draw(st.integers(min_value=1, max_value=5))
    return cands, pool, k


@st.composite
def unlinked_commissions(draw: st.DrawFn) -> tuple[list[Candidate], list[Juror], int]:
    """Candidates and jurors with no declared conflicts and no shared organisation."""
    n = draw(st.integers(min_value=0, max_value=15))
    cands = [
        Candidate(application_id=a, applicant_identifier=draw(st.sampled_from(IINS)))
        for a in _application_ids(n)
    ]
    pool = [Juror(juror_id=j) for j in _juror_ids(draw(st.integers(min_value=1, max_value=8)))]
    k = draw(st.integers(min_value=1, max_value=6))
    return cands, pool, k


def _eligible(candidate: Candidate, pool: list[Juror]) -> list[str]:
    return [j.juror_id for j in pool if not linked(j, candidate)]


# -- linked() -----------------------------------------------------------------------------


def test_a_declared_conflict_links_a_juror_to_the_application() -> None:
    candidate = Candidate("app-1", applicant_identifier=IINS[0])
    assert linked(Juror("j", conflicts=frozenset({"app-1"})), candidate)
    assert not linked(Juror("j", conflicts=frozenset({"app-2"})), candidate)


def test_a_juror_of_the_applicants_organisation_or_employer_is_linked() -> None:
    organisation = Candidate("app-1", applicant_identifier=BINS[0], organisation_bin=BINS[0])
    employee = Candidate("app-2", applicant_identifier=IINS[0], organisation_bin=BINS[1])
    assert linked(Juror("j", organisation_bin=BINS[0]), organisation)
    assert linked(Juror("j", organisation_bin=BINS[1]), employee)
    assert not linked(Juror("j", organisation_bin=BINS[2]), employee)
    assert not linked(Juror("j"), employee)


def test_an_applicant_without_an_employer_is_not_linked_to_a_juror_without_a_bin() -> None:
    assert not linked(Juror("j"), Candidate("app-1", applicant_identifier=IINS[0]))


# -- assign(): examples -------------------------------------------------------------------


def test_ten_applications_six_jurors_three_each_gives_every_juror_five() -> None:
    cands = [Candidate(a, applicant_identifier=IINS[0]) for a in _application_ids(10)]
    pool = [Juror(j) for j in _juror_ids(6)]
    plan = assign(cands, pool, 3)
    assert len(plan.pairs) == 30
    assert plan.short == {}
    assert plan.loads() == Counter({j: 5 for j in _juror_ids(6)})
    for candidate in cands:
        assert len(set(plan.jurors_of(candidate.application_id))) == 3


def test_pairs_are_listed_in_application_order() -> None:
    cands = [Candidate(a, applicant_identifier=IINS[0]) for a in reversed(_application_ids(5))]
    plan = assign(cands, [Juror(j) for j in _juror_ids(4)], 2)
    applications = [app for app, _ in plan.pairs]
    assert applications == sorted(applications)


def test_an_application_with_too_few_eligible_jurors_gets_those_there_are_and_is_reported() -> None:
    candidate = Candidate("app-1", applicant_identifier=IINS[0], organisation_bin=BINS[0])
    pool = [
        Juror("juror-a", organisation_bin=BINS[0]),  # the applicant's employer
        Juror("juror-b", conflicts=frozenset({"app-1"})),
        Juror("juror-c"),
    ]
    plan = assign([candidate], pool, 3)
    assert plan.jurors_of("app-1") == ["juror-c"]
    assert plan.short == {"app-1": 2}


def test_an_application_nobody_may_score_gets_no_juror_and_is_short_by_k() -> None:
    candidate = Candidate("app-1", applicant_identifier=BINS[0])
    plan = assign([candidate], [Juror("juror-a", organisation_bin=BINS[0])], 2)
    assert plan.pairs == ()
    assert plan.short == {"app-1": 2}


def test_no_jurors_and_no_candidates() -> None:
    assert assign([], [Juror("j")], 3) == Plan(pairs=(), short={})
    plan = assign([Candidate("app-1", applicant_identifier=IINS[0])], [], 3)
    assert plan.pairs == ()
    assert plan.short == {"app-1": 3}


def test_a_conflicted_juror_is_left_out_and_the_others_stay_balanced() -> None:
    cands = [Candidate(a, applicant_identifier=IINS[0]) for a in _application_ids(6)]
    pool = [Juror(j) for j in _juror_ids(3)]
    pool[0] = Juror(pool[0].juror_id, conflicts=frozenset({"app-00"}))
    plan = assign(cands, pool, 2)
    assert "juror-00" not in plan.jurors_of("app-00")
    assert plan.short == {}
    loads = plan.loads()
    assert max(loads.values()) - min(loads.values()) <= 1


# -- assign(): properties -----------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(commissions())
def test_every_candidate_gets_k_distinct_jurors_or_is_reported_short(
    commission: tuple[list[Candidate], list[Juror], int],
) -> None:
    cands, pool, k = commission
    plan = assign(cands, pool, k)
    for candidate in cands:
        assigned = plan.jurors_of(candidate.application_id)
        eligible = _eligible(candidate, pool)
        assert len(assigned) == len(set(assigned))
        if len(eligible) >= k:
            assert len(assigned) == k
            assert candidate.application_id not in plan.short
        else:
            assert sorted(assigned) == sorted(eligible)
            assert plan.short[candidate.application_id] == k - len(eligible)
    assert set(plan.short) <= {c.application_id for c in cands}


@settings(max_examples=100, deadline=None)
@given(commissions())
def test_no_linked_juror_is_ever_assigned(
    commission: tuple[list[Candidate], list[Juror], int],
) -> None:
    cands, pool, k = commission
    plan = assign(cands, pool, k)
    by_application = {c.application_id: c for c in cands}
    by_juror = {j.juror_id: j for j in pool}
    for application_id, juror_id in plan.pairs:
        candidate = by_application[application_id]
        juror = by_juror[juror_id]
        assert application_id not in juror.conflicts
        if juror.organisation_bin is not None:
            assert juror.organisation_bin != candidate.organisation_bin
            assert juror.organisation_bin != candidate.applicant_identifier


@settings(max_examples=100, deadline=None)
@given(unlinked_commissions())
def test_without_links_every_juror_is_within_one_assignment_of_every_other(
    commission: tuple[list[Candidate], list[Juror], int],
) -> None:
    cands, pool, k = commission
    plan = assign(cands, pool, k)
    loads = [plan.loads()[j.juror_id] for j in pool]
    assert max(loads) - min(loads) <= 1
    assert len(plan.pairs) == len(cands) * min(k, len(pool))


@settings(max_examples=100, deadline=None)
@given(commissions(), st.randoms(use_true_random=False))
def test_the_plan_does_not_depend_on_the_order_of_candidates_or_jurors(
    commission: tuple[list[Candidate], list[Juror], int], rng: Random
) -> None:
    cands, pool, k = commission
    plan = assign(cands, pool, k)
    shuffled_cands, shuffled_pool = list(cands), list(pool)
    rng.shuffle(shuffled_cands)
    rng.shuffle(shuffled_pool)
    again = assign(shuffled_cands, shuffled_pool, k)
    assert again.pairs == plan.pairs
    assert dict(again.short) == dict(plan.short)
    assert assign(cands, pool, k) == plan


# -- assigning on top of pairs in force ---------------------------------------------------


def _replace(
    cands: list[Candidate],
    pool: list[Juror],
    k: int,
    pairs: tuple[tuple[str, str], ...],
    leaving: tuple[str, str],
) -> tuple[list[Juror], Plan]:
    """What the service does when a juror declares a conflict: the juror gets the conflict,
    their pair leaves, and the application is brought back up to ``k``."""
    application_id, juror_id = leaving
    pool = [
        Juror(j.juror_id, j.organisation_bin, j.conflicts | {application_id})
        if j.juror_id == juror_id
        else j
        for j in pool
    ]
    remaining = [pair for pair in pairs if pair != leaving]
    candidate = next(c for c in cands if c.application_id == application_id)
    return pool, assign([candidate], pool, k, existing=remaining)


@settings(max_examples=100, deadline=None)
@given(commissions(), st.data())
def test_a_replacement_is_eligible_new_to_the_application_and_least_loaded(
    commission: tuple[list[Candidate], list[Juror], int], data: st.DataObject
) -> None:
    cands, pool, k = commission
    plan = assign(cands, pool, k)
    if not plan.pairs:
        return
    leaving = data.draw(st.sampled_from(plan.pairs))
    application_id = leaving[0]
    candidate = next(c for c in cands if c.application_id == application_id)
    pool_after, replaced = _replace(cands, pool, k, plan.pairs, leaving)
    on_it = set(plan.jurors_of(application_id))
    eligible = [
        j.juror_id for j in pool_after if j.juror_id not in on_it and not linked(j, candidate)
    ]
    if not eligible:
        assert replaced.pairs == ()
        assert replaced.short == {application_id: plan.short.get(application_id, 0) + 1}
        return
    assert len(replaced.pairs) == 1
    ((app, chosen),) = replaced.pairs
    assert app == application_id
    assert chosen not in on_it
    loads = Counter(j for pair in plan.pairs if pair != leaving for _, j in [pair])
    assert loads[chosen] == min(loads[j] for j in eligible)


def test_the_replacement_is_the_least_loaded_juror_not_on_the_application() -> None:
    cands = [Candidate(f"app-{i}", applicant_identifier=IINS[0]) for i in (1, 2, 3)]
    pool = [Juror(j) for j in ("juror-a", "juror-b", "juror-c", "juror-d")]
    pairs = (
        ("app-1", "juror-a"),
        ("app-1", "juror-b"),
        ("app-2", "juror-c"),
        ("app-3", "juror-c"),
        ("app-2", "juror-d"),
    )
    _, plan = _replace(cands, pool, 2, pairs, ("app-1", "juror-a"))
    assert plan.pairs == (("app-1", "juror-d"),)


def test_no_replacement_when_every_other_juror_is_on_it_or_linked() -> None:
    cands = [Candidate("app-1", applicant_identifier=IINS[0], organisation_bin=BINS[0])]
    pool = [
        Juror("juror-a"),
        Juror("juror-b"),
        Juror("juror-c", organisation_bin=BINS[0]),
        Juror("juror-d", conflicts=frozenset({"app-1"})),
    ]
    pairs = (("app-1", "juror-a"), ("app-1", "juror-b"))
    _, plan = _replace(cands, pool, 2, pairs, ("app-1", "juror-a"))
    assert plan.pairs == ()
    assert plan.short == {"app-1": 1}


def test_an_application_with_its_jurors_gets_no_more() -> None:
    cands = [Candidate("app-1", applicant_identifier=IINS[0])]
    pool = [Juror(j) for j in ("juror-a", "juror-b", "juror-c")]
    held = (("app-1", "juror-a"), ("app-1", "juror-b"))
    assert assign(cands, pool, 2, existing=held) == Plan(pairs=(), short={})


@settings(max_examples=100, deadline=None)
@given(unlinked_commissions(), st.data())
def test_applications_assigned_later_keep_every_juror_within_one_of_every_other(
    commission: tuple[list[Candidate], list[Juror], int], data: st.DataObject
) -> None:
    cands, pool, k = commission
    split = data.draw(st.integers(min_value=0, max_value=len(cands)))
    first = assign(cands[:split], pool, k)
    later = assign(cands[split:], pool, k, existing=first.pairs)
    loads = Counter(j for _, j in first.pairs + later.pairs)
    counts = [loads[j.juror_id] for j in pool]
    assert max(counts) - min(counts) <= 1
    for candidate in cands:
        jurors_on_it = [j for a, j in first.pairs + later.pairs if a == candidate.application_id]
        assert len(jurors_on_it) == len(set(jurors_on_it)) == min(k, len(pool))
